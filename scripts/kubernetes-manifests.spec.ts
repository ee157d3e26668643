// The Kubernetes manifests (deploy/kubernetes/), proved without a cluster: every overlay renders
// with `kubectl kustomize`, every object passes the Kubernetes API schema with unknown fields
// rejected, and the manifests agree with the code (config loader, HTTP routes, Dockerfile). Broken
// copies in a temporary folder show that each kind of mistake fails, naming the object and field.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, promisify } from 'node:util';
import { parseDocument, type Document } from 'yaml';
import {
  checkManifests,
  formatFinding,
  loadFacts,
  parseDockerfile,
  parseQuantity,
  renderKustomization,
  type Facts,
  type Finding,
  type KubeObject,
} from './kubernetes-manifests.ts';
import { pointerToField } from './kubernetes-schema.ts';

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MANIFESTS = join(ROOT, 'deploy/kubernetes');
const OVERLAYS = ['local', 'production'] as const;

let facts: Facts & { close(): Promise<void> };
const temps: string[] = [];

/** A copy of deploy/kubernetes/ in a temporary folder, to break on purpose. */
function copyManifests(): string {
  const dir = mkdtempSync(join(tmpdir(), 'peerweave-k8s-'));
  temps.push(dir);
  cpSync(MANIFESTS, join(dir, 'kubernetes'), { recursive: true });
  return join(dir, 'kubernetes');
}

/** Edits one YAML file of a copy through the yaml Document API (comments and layout kept). */
function editYaml(root: string, file: string, edit: (doc: Document) => void): void {
  const path = join(root, file);
  const doc = parseDocument(readFileSync(path, 'utf8'));
  edit(doc);
  writeFileSync(path, String(doc));
}

function editText(root: string, file: string, from: string | RegExp, to: string): void {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(from, to);
  assert.notEqual(next, text, `${file}: nothing to replace for ${String(from)}`);
  writeFileSync(path, next);
}

async function findingsOf(dir: string): Promise<Finding[]> {
  return checkManifests(await renderKustomization(dir), facts);
}

function listed(findings: Finding[]): string {
  return findings.map((f) => `  ${formatFinding(f)}`).join('\n') || '  (none)';
}

const PEER = 'base/statefulset-peer.yaml';
const CONTAINER = ['spec', 'template', 'spec', 'containers', 0];

before(async () => {
  facts = await loadFacts();
});

after(async () => {
  await facts?.close();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('Kubernetes manifests: the overlays as shipped', () => {
  for (const overlay of OVERLAYS) {
    it(`overlays/${overlay} renders, passes the API schema strictly and agrees with the code`, async () => {
      const objects = await renderKustomization(join(MANIFESTS, 'overlays', overlay));
      const kinds = objects.map((o) => o.kind).sort();
      assert.deepEqual(kinds, ['ConfigMap', 'Namespace', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'Service', 'StatefulSet', 'StatefulSet']);
      const findings = await checkManifests(objects, facts);
      assert.deepEqual(findings, [], `findings:\n${listed(findings)}`);
    });
  }

  it('production runs 20 peers and 2 supernodes, local 3 and 1, all in the namespace peerweave', async () => {
    const replicas = async (overlay: string): Promise<Record<string, number>> => {
      const objects = await renderKustomization(join(MANIFESTS, 'overlays', overlay));
      for (const o of objects) if (o.kind !== 'Namespace') assert.equal(o.metadata?.namespace, 'peerweave', `${o.kind}/${o.metadata?.name}`);
      return Object.fromEntries(objects.filter((o) => o.kind === 'StatefulSet').map((o) => [o.metadata!.name!, (o.spec as { replicas: number }).replicas]));
    };
    assert.deepEqual(await replicas('production'), { 'peerweave-peer': 20, 'peerweave-supernode': 2 });
    assert.deepEqual(await replicas('local'), { 'peerweave-peer': 3, 'peerweave-supernode': 1 });
  });

  it('the ServiceMonitor component, added to the production overlay as the README says, passes too', async () => {
    const root = copyManifests();
    editText(root, 'overlays/production/kustomization.yaml', /$/, '\ncomponents:\n  - ../../components/service-monitor\n');
    const objects = await renderKustomization(join(root, 'overlays/production'));
    const monitor = objects.find((o) => o.kind === 'ServiceMonitor');
    assert.equal(monitor?.metadata?.namespace, 'peerweave');
    const findings = await checkManifests(objects, facts);
    assert.deepEqual(findings, [], `findings:\n${listed(findings)}`);
  });

  it('the two StatefulSets are the same pod but for name, role, labels and replicas', async () => {
    const objects = await renderKustomization(join(MANIFESTS, 'base'));
    const sts = (name: string): KubeObject => structuredClone(objects.find((o) => o.kind === 'StatefulSet' && o.metadata?.name === name)!);
    const normalise = (o: KubeObject): KubeObject =>
      JSON.parse(
        JSON.stringify(o)
          .replaceAll('peerweave-supernode', 'peerweave-peer')
          .replaceAll('"app.kubernetes.io/component":"supernode"', '"app.kubernetes.io/component":"peer"')
          .replace('{"name":"PEERWEAVE_ROLE","value":"supernode"}', '{"name":"PEERWEAVE_ROLE","value":"peer"}')
          .replace(/"replicas":\d+/, '"replicas":0'),
      ) as KubeObject;
    const peer = normalise(sts('peerweave-peer'));
    const supernode = normalise(sts('peerweave-supernode'));
    assert.ok(isDeepStrictEqual(peer, supernode), 'statefulset-peer.yaml and statefulset-supernode.yaml drifted apart: keep them in step');
  });
});

describe('Kubernetes manifests: a broken copy fails, naming the object and the field', () => {
  const cases: {
    name: string;
    breakIt(root: string): void;
    object: string | RegExp;
    field: string;
    code: Finding['code'];
    message?: RegExp;
  }[] = [
    {
      name: 'a misspelt field (runAsNonroot) that the schema library alone lets through',
      breakIt: (root) => editYaml(root, PEER, (d) => d.setIn([...CONTAINER, 'securityContext', 'runAsNonroot'], true)),
      object: 'StatefulSet/peerweave-peer',
      field: 'spec.template.spec.containers[0].securityContext.runAsNonroot',
      code: 'UNKNOWN_FIELD',
    },
    {
      name: 'a field of the wrong type',
      breakIt: (root) => editYaml(root, PEER, (d) => d.setIn([...CONTAINER, 'ports', 0, 'containerPort'], 'eighty-eighty')),
      object: 'StatefulSet/peerweave-peer',
      field: 'spec.template.spec.containers[0].ports[0].containerPort',
      code: 'SCHEMA',
      message: /must be integer/,
    },
    {
      name: 'a PEERWEAVE_ value the node rejects, set in the ConfigMap',
      breakIt: (root) => editText(root, 'base/node.env', 'PEERWEAVE_REPLICATION_FACTOR=3', 'PEERWEAVE_REPLICATION_FACTOR=0'),
      object: /^ConfigMap\/peerweave-config-[a-z0-9]+$/,
      field: 'data.PEERWEAVE_REPLICATION_FACTOR',
      code: 'CONFIG_REJECTED',
      message: /PEERWEAVE_REPLICATION_FACTOR="0" is invalid: expected an integer 1\.\.16/,
    },
    {
      name: 'a PEERWEAVE_ value the node rejects, set in the StatefulSet',
      breakIt: (root) => editYaml(root, 'base/statefulset-supernode.yaml', (d) => d.setIn([...CONTAINER, 'env', 0, 'value'], 'leaf')),
      object: 'StatefulSet/peerweave-supernode',
      field: 'spec.template.spec.containers[0].env[0].value',
      code: 'CONFIG_REJECTED',
      message: /PEERWEAVE_ROLE="leaf" is invalid/,
    },
    {
      name: 'values that are valid alone but not together (w above r)',
      breakIt: (root) => editText(root, 'base/node.env', 'PEERWEAVE_WRITE_QUORUM=2', 'PEERWEAVE_WRITE_QUORUM=4'),
      object: /^ConfigMap\/peerweave-config-/,
      field: 'data.PEERWEAVE_WRITE_QUORUM',
      code: 'CONFIG_REJECTED',
      message: /at most PEERWEAVE_REPLICATION_FACTOR \(3\)/,
    },
    {
      name: 'a misspelt PEERWEAVE_ variable, which the node would ignore',
      breakIt: (root) => editText(root, 'base/node.env', 'PEERWEAVE_REPLICATION_FACTOR=3', 'PEERWEAVE_REPLICATON_FACTOR=3'),
      object: /^ConfigMap\/peerweave-config-/,
      field: 'data.PEERWEAVE_REPLICATON_FACTOR',
      code: 'UNKNOWN_VARIABLE',
    },
    {
      name: 'a readiness probe on a path the HTTP API does not serve',
      breakIt: (root) => editYaml(root, PEER, (d) => d.setIn([...CONTAINER, 'readinessProbe', 'httpGet', 'path'], '/ready')),
      object: 'StatefulSet/peerweave-peer',
      field: 'spec.template.spec.containers[0].readinessProbe.httpGet.path',
      code: 'PROBE',
      message: /answers 404/,
    },
    {
      name: 'a liveness probe on /readyz, which would restart nodes that are still joining',
      breakIt: (root) => editYaml(root, PEER, (d) => d.setIn([...CONTAINER, 'livenessProbe', 'httpGet', 'path'], '/readyz')),
      object: 'StatefulSet/peerweave-peer',
      field: 'spec.template.spec.containers[0].livenessProbe.httpGet.path',
      code: 'PROBE',
      message: /answers 503 on a node that is starting or joining/,
    },
    {
      name: 'a probe on a port that is not the HTTP API',
      breakIt: (root) => editYaml(root, PEER, (d) => d.setIn([...CONTAINER, 'startupProbe', 'httpGet', 'port'], 'grpc')),
      object: 'StatefulSet/peerweave-peer',
      field: 'spec.template.spec.containers[0].startupProbe.httpGet.port',
      code: 'PROBE',
    },
    {
      name: 'a join name that is the ClusterIP API Service, not the headless one',
      breakIt: (root) => editText(root, 'base/node.env', 'PEERWEAVE_JOIN=peerweave', 'PEERWEAVE_JOIN=peerweave-api'),
      object: 'Service/peerweave-api',
      field: 'spec.clusterIP',
      code: 'JOIN',
      message: /not headless/,
    },
    {
      name: 'a headless Service that hides pods until they are Ready',
      breakIt: (root) => editYaml(root, 'base/service-headless.yaml', (d) => d.setIn(['spec', 'publishNotReadyAddresses'], false)),
      object: 'Service/peerweave',
      field: 'spec.publishNotReadyAddresses',
      code: 'JOIN',
    },
    {
      name: 'every node advertising the same literal address',
      breakIt: (root) => editYaml(root, PEER, (d) => d.setIn([...CONTAINER, 'env', 1], d.createNode({ name: 'PEERWEAVE_ADVERTISE_HOST', value: 'peerweave' }))),
      object: 'StatefulSet/peerweave-peer',
      field: 'spec.template.spec.containers[0].env[1].value',
      code: 'ADVERTISE',
    },
    {
      name: 'a uid other than the image\'s USER',
      breakIt: (root) => editYaml(root, PEER, (d) => d.setIn(['spec', 'template', 'spec', 'securityContext', 'runAsUser'], 0)),
      object: 'StatefulSet/peerweave-peer',
      field: 'spec.template.spec.securityContext.runAsUser',
      code: 'SECURITY',
      message: /not the image's USER 1000/,
    },
    {
      name: 'a grace period shorter than the node\'s drain',
      breakIt: (root) => editYaml(root, PEER, (d) => d.setIn(['spec', 'template', 'spec', 'terminationGracePeriodSeconds'], 10)),
      object: 'StatefulSet/peerweave-peer',
      field: 'spec.template.spec.terminationGracePeriodSeconds',
      code: 'LIFECYCLE',
    },
    {
      name: 'OrderedReady pod management, under which pod 0 waits forever for a peer',
      breakIt: (root) => editYaml(root, PEER, (d) => d.setIn(['spec', 'podManagementPolicy'], 'OrderedReady')),
      object: 'StatefulSet/peerweave-peer',
      field: 'spec.podManagementPolicy',
      code: 'LIFECYCLE',
    },
    {
      name: 'a disruption budget that lets r nodes go at once',
      breakIt: (root) => editYaml(root, 'base/poddisruptionbudget.yaml', (d) => d.setIn(['spec', 'maxUnavailable'], 3)),
      object: 'PodDisruptionBudget/peerweave',
      field: 'spec.maxUnavailable',
      code: 'PDB',
      message: /3 is above r - 1 = 2/,
    },
    {
      name: 'a disruption budget per role, which together would let 2 (r - 1) peers and 2 supernodes go',
      breakIt: (root) => editYaml(root, 'base/poddisruptionbudget.yaml', (d) => d.setIn(['spec', 'selector', 'matchLabels', 'app.kubernetes.io/component'], 'peer')),
      object: 'PodDisruptionBudget/peerweave',
      field: 'spec.selector',
      code: 'PDB',
      message: /one budget must cover them all/,
    },
    {
      name: 'a NetworkPolicy that opens gRPC to other namespaces',
      breakIt: (root) => editYaml(root, 'base/networkpolicy.yaml', (d) => d.addIn(['spec', 'ingress', 0, 'from'], d.createNode({ namespaceSelector: {} }))),
      object: 'NetworkPolicy/peerweave',
      field: 'spec.ingress[0].from[1].namespaceSelector',
      code: 'NETWORK_POLICY',
    },
    {
      name: 'the cluster CA key named in node.env but left out of the Secret volume (the node would stop at start)',
      breakIt: (root) => editYaml(root, PEER, (d) => d.deleteIn(['spec', 'template', 'spec', 'volumes', 1, 'secret', 'items', 1])),
      object: 'StatefulSet/peerweave-peer',
      field: 'spec.template.spec.containers[0].volumeMounts',
      code: 'VOLUME',
      message: /PEERWEAVE_CLUSTER_CA_KEY=\/run\/secrets\/peerweave\/ca\.key: the volume cluster-secrets mounted at \/run\/secrets\/peerweave has no item ca\.key/,
    },
    {
      name: 'the cluster Secret not mounted at all',
      breakIt: (root) => editYaml(root, PEER, (d) => d.deleteIn([...CONTAINER, 'volumeMounts', 2])),
      object: 'StatefulSet/peerweave-peer',
      field: 'spec.template.spec.containers[0].volumeMounts',
      code: 'VOLUME',
      message: /PEERWEAVE_CLUSTER_CA=\/run\/secrets\/peerweave\/ca\.crt is on no mounted volume/,
    },
    {
      name: 'scrape annotations on the wrong port',
      breakIt: (root) => editYaml(root, PEER, (d) => d.setIn(['spec', 'template', 'metadata', 'annotations', 'prometheus.io/port'], '7400')),
      object: 'StatefulSet/peerweave-peer',
      field: 'spec.template.metadata.annotations["prometheus.io/port"]',
      code: 'SCRAPE',
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const root = copyManifests();
      c.breakIt(root);
      const findings = await findingsOf(join(root, 'overlays/production'));
      const hit = findings.find(
        (f) =>
          (typeof c.object === 'string' ? f.object === c.object : c.object.test(f.object)) &&
          f.field === c.field &&
          f.code === c.code &&
          (c.message === undefined || c.message.test(f.message)),
      );
      assert.ok(hit, `expected ${c.code} at ${String(c.object)} ${c.field}${c.message ? ` matching ${String(c.message)}` : ''}; got:\n${listed(findings)}`);
    });
  }

  it('the command line prints `<Kind>/<name> <field>: <CODE>` for a broken copy and exits 1, and 0 for the overlays as shipped', async () => {
    const root = copyManifests();
    editYaml(root, PEER, (d) => d.setIn([...CONTAINER, 'securityContext', 'readOnlyRootFileSystem'], true));
    const script = join(ROOT, 'scripts/kubernetes-manifests.ts');
    const failed = await execFileAsync(process.execPath, [script, join(root, 'overlays/local')]).then(
      () => assert.fail('expected exit code 1'),
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /StatefulSet\/peerweave-peer spec\.template\.spec\.containers\[0\]\.securityContext\.readOnlyRootFileSystem: UNKNOWN_FIELD/);
    const good = await execFileAsync(process.execPath, [script, ...OVERLAYS.map((o) => join(MANIFESTS, 'overlays', o))]);
    assert.equal(good.stdout, OVERLAYS.map((o) => `${join(MANIFESTS, 'overlays', o)}: ok\n`).join(''));
  });

  it('a kustomization that does not render fails with kubectl\'s own message', async () => {
    const root = copyManifests();
    editText(root, 'base/kustomization.yaml', '  - networkpolicy.yaml', '  - networkpolicy.yaml\n  - missing.yaml');
    await assert.rejects(renderKustomization(join(root, 'overlays/local')), /kubectl kustomize .* failed: .*missing\.yaml/s);
  });
});

describe('Kubernetes manifests: the helpers', () => {
  it('reads uid, gid and exposed ports from the Dockerfile', () => {
    assert.deepEqual(parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')), { uid: 1000, gid: 1000, exposed: [8080, 7400] });
    assert.deepEqual(parseDockerfile('FROM x\nUSER 10\nEXPOSE 80/tcp \\\n  81\n'), { uid: 10, gid: 10, exposed: [80, 81] });
    assert.throws(() => parseDockerfile('FROM x\nUSER node\n'), /USER must be numeric/);
  });

  it('turns JSON pointers into dotted fields and reads quantities', () => {
    assert.equal(pointerToField('/spec/template/spec/containers/0/ports/1/containerPort'), 'spec.template.spec.containers[0].ports[1].containerPort');
    assert.equal(pointerToField('/metadata/annotations/prometheus.io~1port'), 'metadata.annotations.prometheus.io/port');
    assert.equal(parseQuantity('100m'), 0.1);
    assert.equal(parseQuantity('2'), 2);
    assert.equal(parseQuantity('768Mi'), 768 * 2 ** 20);
    assert.ok(Number.isNaN(parseQuantity('lots')));
  });
});
