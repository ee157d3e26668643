// Checks the Kubernetes manifests (deploy/kubernetes/) without a cluster: renders an overlay with
// `kubectl kustomize`, validates every object against the Kubernetes API schema (strictly:
// kubernetes-schema.ts), then against Peerweave itself, so the manifests cannot drift from the
// code: every PEERWEAVE_* variable goes through the node's own config loader with the value the pod
// would get; probe and scrape paths are requested from the node's HTTP app as the kubelet and
// Prometheus would; ports are the config's and the image's (Dockerfile EXPOSE), the uid the image's
// USER; the join name is a headless Service over the nodes; the PodDisruptionBudget never lets
// r (PEERWEAVE_REPLICATION_FACTOR) nodes go at once; only Peerweave pods reach gRPC.
//
//   node scripts/kubernetes-manifests.ts deploy/kubernetes/overlays/production [more overlays]
//
// prints one line per finding, `<Kind>/<name> <field>: <CODE>: <what is wrong>`, and exits 1 if any.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { ILabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import { ConfigError, loadConfig, loadPreset, silentLogger, type Preset } from '@peerweave/core';
import { NODE_CONFIG, loadNodeConfig, type NodeConfig } from '@peerweave/config';
import { build } from '@peerweave/http-api';
import { splitHostPort } from '@peerweave/routing';
import { validateObject } from './kubernetes-schema.ts';

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export type KubeObject = Record<string, unknown> & { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };

export type FindingCode =
  | 'UNSUPPORTED_KIND'
  | 'SCHEMA'
  | 'UNKNOWN_FIELD'
  | 'UNKNOWN_VARIABLE'
  | 'CONFIG_REJECTED'
  | 'UNRESOLVED'
  | 'PORT'
  | 'PROBE'
  | 'SCRAPE'
  | 'JOIN'
  | 'ADVERTISE'
  | 'SERVICE'
  | 'SECURITY'
  | 'VOLUME'
  | 'LIFECYCLE'
  | 'TOPOLOGY'
  | 'RESOURCES'
  | 'PDB'
  | 'NETWORK_POLICY'
  | 'SERVICE_MONITOR';

export interface Finding {
  /** `Kind/name` of the object that holds the wrong field. */
  object: string;
  /** Dotted path of the field inside that object. */
  field: string;
  code: FindingCode;
  message: string;
}

export function formatFinding(f: Finding): string {
  return `${f.object} ${f.field}: ${f.code}: ${f.message}`;
}

// ------------------------------------------------------------------------------------ rendering

/** `kubectl kustomize dir`, parsed: every object of the overlay as the API server would get it. */
export async function renderKustomization(dir: string): Promise<KubeObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('kubectl', ['kustomize', dir], { maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('kubectl is not on PATH: run `bash scripts/setup.sh` (scripts/setup.d/30-kubectl.sh installs it)');
    throw new Error(`kubectl kustomize ${dir} failed: ${(e.stderr ?? e.message).trim()}`);
  }
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(stdout)) {
    if (doc.errors.length > 0) throw new Error(`kubectl kustomize ${dir} printed invalid YAML: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    if (value !== null && typeof value === 'object') objects.push(value as KubeObject);
  }
  return objects;
}

// ---------------------------------------------------------------------------- facts from the code

/** What the image says about itself (Dockerfile): who it runs as and which ports it exposes. */
export interface ImageFacts {
  uid: number;
  gid: number;
  exposed: number[];
}

export function parseDockerfile(text: string): ImageFacts {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  let user: string | undefined;
  const exposed: number[] = [];
  for (const line of lines) {
    const [instruction = '', ...args] = line.split(/\s+/);
    if (instruction.toUpperCase() === 'USER') user = args[0];
    if (instruction.toUpperCase() === 'EXPOSE') for (const a of args) exposed.push(Number(a.split('/')[0]));
  }
  const m = user === undefined ? null : /^(\d+)(?::(\d+))?$/.exec(user);
  if (m === null) throw new Error(`the Dockerfile's USER must be numeric uid[:gid] (Kubernetes' runAsNonRoot needs it); found ${user ?? 'none'}`);
  return { uid: Number(m[1]), gid: Number(m[2] ?? m[1]), exposed };
}

/** The node's HTTP app, asked as the kubelet and Prometheus would, while joining or once joined. */
export interface HttpFacts {
  status(path: string, joined: boolean): Promise<number>;
  close(): Promise<void>;
}

export async function nodeHttpFacts(): Promise<HttpFacts> {
  let joined = false;
  const app = await build({
    logger: silentLogger,
    status: () => ({
      id: '0'.repeat(64),
      role: 'peer',
      version: '0.0.0',
      uptimeSeconds: 0,
      startedAt: new Date(0).toISOString(),
      publicKey: '',
      addresses: { http: [], grpc: [] },
    }),
    readiness: () => (joined ? { ready: true } : { ready: false, code: 'NOT_READY', reason: 'joining: no contact yet' }),
    metrics: { contentType: 'text/plain; version=0.0.4; charset=utf-8', text: async () => '' },
  });
  return {
    async status(path, j) {
      joined = j;
      return (await app.inject({ method: 'GET', url: path })).statusCode;
    },
    close: () => app.close(),
  };
}

export interface Facts {
  image: ImageFacts;
  http: HttpFacts;
}

/** Reads the Dockerfile of this checkout and builds the node's HTTP app. `close()` when done. */
export async function loadFacts(root: string = ROOT): Promise<Facts & { close(): Promise<void> }> {
  const image = parseDockerfile(await readFile(join(root, 'Dockerfile'), 'utf8'));
  const http = await nodeHttpFacts();
  return { image, http, close: () => http.close() };
}

// ---------------------------------------------------------------------------------------- helpers

type Labels = Record<string, string>;

const ENV_TO_KEY = new Map<string, keyof typeof NODE_CONFIG>(Object.entries(NODE_CONFIG).map(([key, field]) => [field.env, key as keyof typeof NODE_CONFIG]));
const KNOWN_VARIABLES = new Set([...ENV_TO_KEY.keys(), 'PEERWEAVE_PRESET']);
/** Settings that name a file the node reads at start (the cluster CA, its key, certificates, tokens). */
const FILE_SETTINGS = (Object.keys(NODE_CONFIG) as (keyof typeof NODE_CONFIG)[]).filter((key) => NODE_CONFIG[key].accepts.startsWith('a file path'));

/** Values the downward API would give, for the fields a manifest may pass to the node. */
const FIELD_REF_SAMPLES: Record<string, (pod: string, ns: string) => string> = {
  'status.podIP': () => '10.244.1.23',
  'status.hostIP': () => '172.18.0.2',
  'metadata.name': (pod) => pod,
  'metadata.namespace': (_pod, ns) => ns,
  'spec.nodeName': () => 'node-1',
};

function id(o: KubeObject): string {
  return `${o.kind ?? '?'}/${o.metadata?.name ?? '?'}`;
}

function nsOf(o: KubeObject): string {
  return o.metadata?.namespace ?? 'default';
}

const ok = (status: number): boolean => status >= 200 && status < 400;

/** A LabelSelector: undefined selects nothing, {} everything. */
function selects(selector: ILabelSelector | undefined, labels: Labels): boolean {
  if (selector === undefined) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const values = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(value!))) return false;
    if (e.operator === 'NotIn' && has && values.includes(value!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** A Service's selector (a plain map): empty selects nothing (endpoints are then managed by hand). */
function serviceSelects(selector: Labels | undefined, labels: Labels): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

function isSelectorEmpty(selector: ILabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** Kubernetes quantity → number (cores or bytes). */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (m === null) return Number.NaN;
  const n = Number(m[1]);
  const suffix: Record<string, number> = {
    '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40,
  };
  const f = suffix[m[2]!];
  return f === undefined ? Number.NaN : n * f;
}

/** Where a variable's value comes from, so a finding names the object and field that set it. */
interface EnvEntry {
  value: string | undefined;
  object: string;
  field: string;
  nameField: string;
  fieldRef?: string;
}

interface NodeWorkload {
  sts: IStatefulSet & KubeObject;
  object: string;
  ns: string;
  labels: Labels;
  replicas: number;
  /** One per container that loaded; the first is the workload's. */
  configs: { container: IContainer; path: string; config: NodeConfig }[];
}

class Checker {
  readonly findings: Finding[] = [];
  readonly #objects: KubeObject[];
  readonly #facts: Facts;

  constructor(objects: KubeObject[], facts: Facts) {
    this.#objects = objects;
    this.#facts = facts;
  }

  add(object: string, field: string, code: FindingCode, message: string): void {
    this.findings.push({ object, field, code, message });
  }

  of<T>(kind: string): (T & KubeObject)[] {
    return this.#objects.filter((o) => o.kind === kind) as (T & KubeObject)[];
  }

  async run(): Promise<Finding[]> {
    for (const o of this.#objects) {
      for (const p of validateObject(o)) this.add(id(o), p.field, p.code, p.message);
    }
    const workloads: NodeWorkload[] = [];
    for (const sts of this.of<IStatefulSet>('StatefulSet')) workloads.push(await this.checkWorkload(sts));
    this.checkServices(workloads);
    this.checkDisruptionBudgets(workloads);
    this.checkNetworkPolicies(workloads);
    await this.checkServiceMonitors(workloads);
    return dedupe(this.findings);
  }

  // ------------------------------------------------------------------------------ one StatefulSet

  async checkWorkload(sts: IStatefulSet & KubeObject): Promise<NodeWorkload> {
    const object = id(sts);
    const ns = nsOf(sts);
    const template = sts.spec?.template;
    const labels: Labels = (template?.metadata?.labels as Labels | undefined) ?? {};
    const pod = template?.spec;
    const workload: NodeWorkload = { sts, object, ns, labels, replicas: sts.spec?.replicas ?? 1, configs: [] };
    if (pod === undefined) return workload;
    const base = 'spec.template.spec';

    for (const [i, container] of pod.containers.entries()) {
      const path = `${base}.containers[${i}]`;
      const env = this.resolveEnv(sts, container, path);
      const config = this.checkConfig(object, path, env);
      if (config === undefined) continue;
      workload.configs.push({ container, path, config });
      this.checkPorts(object, path, container, config);
      await this.checkProbes(object, path, container, config);
      this.checkAdvertise(env);
      this.checkJoin(workload, path, container, config);
      this.checkContainerSecurity(sts, path, container);
      this.checkVolumes(sts, path, container, config);
      this.checkResources(object, path, container);
      this.checkLifecycle(sts, config);
      await this.checkScrape(sts, config);
    }
    this.checkPodSecurity(sts);
    this.checkTopology(sts, labels);
    this.checkGoverningService(sts, labels);
    return workload;
  }

  /** The container's environment as the kubelet would build it: envFrom first, then env. */
  resolveEnv(sts: IStatefulSet & KubeObject, container: IContainer, path: string): Map<string, EnvEntry> {
    const object = id(sts);
    const ns = nsOf(sts);
    const podName = `${sts.metadata?.name ?? 'pod'}-0`;
    const env = new Map<string, EnvEntry>();
    for (const [i, from] of (container.envFrom ?? []).entries()) {
      const name = from.configMapRef?.name;
      if (name === undefined) {
        this.add(object, `${path}.envFrom[${i}]`, 'UNRESOLVED', 'only configMapRef sources can be checked here');
        continue;
      }
      const cm = this.of<IConfigMap>('ConfigMap').find((c) => c.metadata?.name === name && nsOf(c) === ns);
      if (cm === undefined) {
        if (from.configMapRef?.optional !== true) this.add(object, `${path}.envFrom[${i}].configMapRef.name`, 'UNRESOLVED', `no ConfigMap ${name} in namespace ${ns} in this render: the pod would not start`);
        continue;
      }
      for (const [key, value] of Object.entries(cm.data ?? {})) {
        const field = `data.${key}`;
        env.set(`${from.prefix ?? ''}${key}`, { value, object: id(cm), field, nameField: field });
      }
    }
    for (const [i, e] of (container.env ?? []).entries()) {
      const at = `${path}.env[${i}]`;
      const entry: EnvEntry = { value: e.value ?? '', object, field: `${at}.value`, nameField: `${at}.name` };
      const ref = e.valueFrom;
      if (ref?.fieldRef !== undefined) {
        const sample = FIELD_REF_SAMPLES[ref.fieldRef.fieldPath];
        entry.fieldRef = ref.fieldRef.fieldPath;
        entry.field = `${at}.valueFrom.fieldRef.fieldPath`;
        entry.value = sample?.(podName, ns);
      } else if (ref?.configMapKeyRef !== undefined) {
        const { name, key } = ref.configMapKeyRef;
        const cm = this.of<IConfigMap>('ConfigMap').find((c) => c.metadata?.name === name && nsOf(c) === ns);
        entry.value = cm?.data?.[key];
        if (entry.value !== undefined) Object.assign(entry, { object: id(cm!), field: `data.${key}` });
      } else if (ref !== undefined) {
        entry.value = undefined;
      }
      env.set(e.name, entry);
    }
    return env;
  }

  /** Every PEERWEAVE_* variable through the node's config loader, each one and then all together. */
  checkConfig(object: string, path: string, env: Map<string, EnvEntry>): NodeConfig | undefined {
    const values: NodeJS.ProcessEnv = {};
    let rejected = false;
    for (const [name, e] of env) {
      if (!name.startsWith('PEERWEAVE_')) continue;
      if (!KNOWN_VARIABLES.has(name)) {
        this.add(e.object, e.nameField, 'UNKNOWN_VARIABLE', `${name} is not a setting of the node (libs/config/src/node-config.ts): a misspelt name is ignored and the default used`);
        continue;
      }
      if (e.value === undefined) {
        this.add(e.object, e.field, 'UNRESOLVED', `the value of ${name} cannot be known before the pod runs${e.fieldRef ? ` (fieldRef ${e.fieldRef})` : ''}, so it cannot be checked`);
        continue;
      }
      values[name] = e.value;
    }
    let preset: Preset = 'lan';
    try {
      preset = loadPreset(values);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      const e = env.get('PEERWEAVE_PRESET')!;
      this.add(e.object, e.field, 'CONFIG_REJECTED', err.message);
      return undefined;
    }
    for (const [name, value] of Object.entries(values)) {
      const key = ENV_TO_KEY.get(name);
      if (key === undefined) continue;
      try {
        loadConfig({ [key]: NODE_CONFIG[key] }, { [name]: value }, preset);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        const e = env.get(name)!;
        this.add(e.object, e.field, 'CONFIG_REJECTED', err.message);
        delete values[name];
        rejected = true;
      }
    }
    // The rules between variables (w <= r, probe timeout < interval) once every value is valid;
    // with a rejected one the rest is still checked, against the values that were accepted.
    try {
      return loadNodeConfig(values);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      if (!rejected) {
        const variable = String(err.details?.variable ?? '');
        const e = env.get(variable);
        this.add(e?.object ?? object, e?.field ?? `${path}.env`, 'CONFIG_REJECTED', err.message);
      }
      return undefined;
    }
  }

  containerPort(container: IContainer, port: number | string | undefined): number | undefined {
    if (typeof port === 'number') return port;
    if (port === undefined) return undefined;
    if (/^\d+$/.test(port)) return Number(port);
    return container.ports?.find((p) => p.name === port)?.containerPort;
  }

  checkPorts(object: string, path: string, container: IContainer, config: NodeConfig): void {
    const declared = (container.ports ?? []).map((p) => p.containerPort);
    for (const [what, port, host] of [
      ['HTTP', config.httpPort, config.httpHost],
      ['gRPC', config.grpcPort, config.grpcHost],
    ] as const) {
      if (!declared.includes(port)) this.add(object, `${path}.ports`, 'PORT', `the node listens for ${what} on ${port} (its config) but the container declares ${declared.join(', ') || 'no port'}`);
      if (!this.#facts.image.exposed.includes(port)) this.add(object, `${path}.ports`, 'PORT', `${what} port ${port} is not EXPOSEd by the image (Dockerfile: ${this.#facts.image.exposed.join(' ')})`);
      if (/^(127\.|localhost$|::1$|\[::1\]$)/.test(host)) this.add(object, `${path}.env`, 'PORT', `the node binds ${what} to ${host}: nothing outside the pod, the kubelet's probes included, can reach it`);
    }
  }

  async checkProbes(object: string, path: string, container: IContainer, config: NodeConfig): Promise<void> {
    for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
      const probe = container[kind];
      const at = `${path}.${kind}`;
      if (probe === undefined) {
        this.add(object, at, 'PROBE', `missing: every node needs a startup, a readiness and a liveness probe`);
        continue;
      }
      const get = probe.httpGet;
      if (get === undefined) {
        this.add(object, at, 'PROBE', 'must be an httpGet on the node\'s HTTP API (/healthz, /readyz)');
        continue;
      }
      if (this.containerPort(container, get.port) !== config.httpPort) {
        this.add(object, `${at}.httpGet.port`, 'PROBE', `${String(get.port)} is not the node's HTTP port ${config.httpPort}`);
      }
      const probePath = get.path ?? '/';
      const joining = await this.#facts.http.status(probePath, false);
      if (kind === 'readinessProbe') {
        const joined = await this.#facts.http.status(probePath, true);
        if (!ok(joined)) this.add(object, `${at}.httpGet.path`, 'PROBE', `GET ${probePath} answers ${joined} on a node that has joined${joined === 404 ? ' (no such route in libs/http-api)' : ''}: it would never be Ready`);
        else if (ok(joining)) this.add(object, `${at}.httpGet.path`, 'PROBE', `GET ${probePath} answers ${joining} on a node that is still joining: traffic would reach a node with no contact (readiness is /readyz)`);
      } else if (!ok(joining)) {
        this.add(object, `${at}.httpGet.path`, 'PROBE', `GET ${probePath} answers ${joining} on a node that is starting or joining${joining === 404 ? ' (no such route in libs/http-api)' : ''}: the kubelet would restart healthy nodes (liveness is /healthz)`);
      }
    }
  }

  checkAdvertise(env: Map<string, EnvEntry>): void {
    const e = env.get('PEERWEAVE_ADVERTISE_HOST');
    if (e === undefined || e.fieldRef === 'status.podIP' || (e.fieldRef === undefined && e.value === '')) return;
    this.add(e.object, e.field, 'ADVERTISE', `PEERWEAVE_ADVERTISE_HOST must be the pod IP (valueFrom.fieldRef.fieldPath: status.podIP) or empty: the join name resolves to pod IPs, and a node takes an address as known only when a contact advertises exactly it`);
  }

  checkJoin(w: NodeWorkload, path: string, container: IContainer, config: NodeConfig): void {
    const object = w.object;
    if (config.join === '') {
      if (config.seeds.length === 0) this.add(object, `${path}.env`, 'JOIN', 'neither PEERWEAVE_JOIN nor PEERWEAVE_SEEDS is set: the nodes would never find each other');
      return;
    }
    const { host, port } = splitHostPort(config.join, config.grpcPort);
    const [service = '', ...rest] = host.replace(/\.$/, '').split('.');
    const domain = rest.join('.');
    const where = `PEERWEAVE_JOIN=${config.join}`;
    if (domain !== '' && domain !== w.ns && domain !== `${w.ns}.svc` && !domain.startsWith(`${w.ns}.svc.`)) {
      this.add(object, `${path}.env`, 'JOIN', `${where} is not a Service of the pod's namespace ${w.ns} (expected ${service} or ${service}.${w.ns}.svc.cluster.local)`);
      return;
    }
    const svc = this.of<IService>('Service').find((s) => s.metadata?.name === service && nsOf(s) === w.ns);
    if (svc === undefined) {
      this.add(object, `${path}.env`, 'JOIN', `${where}: no Service ${service} in namespace ${w.ns} in this render`);
      return;
    }
    if (svc.spec?.clusterIP !== 'None') this.add(id(svc), 'spec.clusterIP', 'JOIN', `${where} names this Service, which is not headless (clusterIP: None): its name would resolve to one virtual IP, not to every node`);
    if (svc.spec?.publishNotReadyAddresses !== true) this.add(id(svc), 'spec.publishNotReadyAddresses', 'JOIN', `${where} names this Service: it must list pods that are not Ready yet, since a node is Ready only after it joined`);
    if (!serviceSelects(svc.spec?.selector as Labels | undefined, w.labels)) this.add(id(svc), 'spec.selector', 'JOIN', `${where} names this Service, which does not select the pods of ${object}`);
    const grpc = container.ports?.find((p) => p.containerPort === config.grpcPort);
    if (port !== config.grpcPort || grpc === undefined) this.add(object, `${path}.env`, 'JOIN', `${where} dials port ${port}, but the nodes' gRPC port is ${config.grpcPort}`);
  }

  checkGoverningService(sts: IStatefulSet & KubeObject, labels: Labels): void {
    const name = sts.spec?.serviceName;
    const svc = this.of<IService>('Service').find((s) => s.metadata?.name === name && nsOf(s) === nsOf(sts));
    if (svc === undefined || svc.spec?.clusterIP !== 'None' || !serviceSelects(svc.spec?.selector as Labels | undefined, labels)) {
      this.add(id(sts), 'spec.serviceName', 'SERVICE', `${String(name)} must be a headless Service of this render that selects these pods (it gives each pod its DNS name)`);
    }
  }

  checkContainerSecurity(sts: IStatefulSet & KubeObject, path: string, c: IContainer): void {
    const object = id(sts);
    const pod = sts.spec?.template.spec?.securityContext ?? {};
    const sc = c.securityContext ?? {};
    const at = `${path}.securityContext`;
    const { uid, gid } = this.#facts.image;
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) this.add(object, `${at}.runAsNonRoot`, 'SECURITY', 'must be true (pod or container)');
    const user = sc.runAsUser ?? pod.runAsUser;
    if (user !== undefined && user !== uid) this.add(object, sc.runAsUser !== undefined ? `${at}.runAsUser` : 'spec.template.spec.securityContext.runAsUser', 'SECURITY', `${user} is not the image's USER ${uid} (Dockerfile), which owns /data in the image`);
    const group = sc.runAsGroup ?? pod.runAsGroup;
    if (group !== undefined && group !== gid) this.add(object, sc.runAsGroup !== undefined ? `${at}.runAsGroup` : 'spec.template.spec.securityContext.runAsGroup', 'SECURITY', `${group} is not the image's group ${gid} (Dockerfile USER)`);
    if (sc.allowPrivilegeEscalation !== false) this.add(object, `${at}.allowPrivilegeEscalation`, 'SECURITY', 'must be false');
    if (sc.privileged === true) this.add(object, `${at}.privileged`, 'SECURITY', 'must not be true');
    if (sc.readOnlyRootFilesystem !== true) this.add(object, `${at}.readOnlyRootFilesystem`, 'SECURITY', 'must be true: the node writes only to its data volume and /tmp');
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) this.add(object, `${at}.capabilities.drop`, 'SECURITY', 'must drop ALL: the node needs no capability (its ports are above 1024)');
    if ((sc.capabilities?.add ?? []).length > 0) this.add(object, `${at}.capabilities.add`, 'SECURITY', 'must add none');
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') this.add(object, `${at}.seccompProfile.type`, 'SECURITY', 'must be RuntimeDefault (pod or container)');
  }

  checkPodSecurity(sts: IStatefulSet & KubeObject): void {
    const pod = sts.spec?.template.spec?.securityContext ?? {};
    if (pod.fsGroup !== undefined && pod.fsGroup !== this.#facts.image.gid) {
      this.add(id(sts), 'spec.template.spec.securityContext.fsGroup', 'SECURITY', `${pod.fsGroup} is not the image's group ${this.#facts.image.gid}: the volume would not be writable for the node`);
    }
  }

  checkVolumes(sts: IStatefulSet & KubeObject, path: string, c: IContainer, config: NodeConfig): void {
    const object = id(sts);
    const mounts = c.volumeMounts ?? [];
    const norm = (p: string): string => p.replace(/\/+$/, '') || '/';
    const data = mounts.find((m) => norm(m.mountPath) === norm(config.dataDir));
    const claims = (sts.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name);
    if (data === undefined) {
      this.add(object, `${path}.volumeMounts`, 'VOLUME', `nothing is mounted at PEERWEAVE_DATA_DIR (${config.dataDir}): the node's key and data would die with the pod`);
    } else if (!claims.includes(data.name)) {
      this.add(object, `${path}.volumeMounts`, 'VOLUME', `${config.dataDir} is mounted from ${data.name}, not from a volumeClaimTemplate: the node's key and data would die with the pod`);
    } else if (data.readOnly === true) {
      this.add(object, `${path}.volumeMounts`, 'VOLUME', `${config.dataDir} must be writable`);
    }
    if (c.securityContext?.readOnlyRootFilesystem === true && !mounts.some((m) => norm(m.mountPath) === '/tmp')) {
      this.add(object, `${path}.volumeMounts`, 'VOLUME', 'the root filesystem is read-only, so /tmp needs a volume (an emptyDir): SQLite writes its temporary files there');
    }
    // A file the node reads at start (PEERWEAVE_CLUSTER_CA, …) must be on a mounted volume, and if
    // that volume lists its items (a Secret or ConfigMap), among them: else the node stops at start.
    const volumes = sts.spec?.template.spec?.volumes ?? [];
    for (const key of FILE_SETTINGS) {
      const file = config[key] as unknown;
      if (typeof file !== 'string' || file === '') continue;
      const name = NODE_CONFIG[key].env;
      const mount = mounts.find((m) => !m.subPath && file.startsWith(`${norm(m.mountPath)}/`));
      if (mount === undefined) {
        this.add(object, `${path}.volumeMounts`, 'VOLUME', `${name}=${file} is on no mounted volume: the node cannot read it and stops at start`);
        continue;
      }
      const volume = volumes.find((v) => v.name === mount.name);
      const items = volume?.secret?.items ?? volume?.configMap?.items;
      const relative = file.slice(norm(mount.mountPath).length + 1);
      if (items !== undefined && !items.some((i) => i.path === relative)) {
        this.add(object, `${path}.volumeMounts`, 'VOLUME', `${name}=${file}: the volume ${mount.name} mounted at ${mount.mountPath} has no item ${relative}`);
      }
    }
  }

  checkResources(object: string, path: string, c: IContainer): void {
    const at = `${path}.resources`;
    for (const r of ['cpu', 'memory'] as const) {
      const request = c.resources?.requests?.[r];
      const limit = c.resources?.limits?.[r];
      if (request === undefined) this.add(object, `${at}.requests.${r}`, 'RESOURCES', 'missing: the scheduler would place nodes blind');
      if (limit === undefined) this.add(object, `${at}.limits.${r}`, 'RESOURCES', 'missing');
      if (request !== undefined && limit !== undefined && parseQuantity(request) > parseQuantity(limit)) {
        this.add(object, `${at}.requests.${r}`, 'RESOURCES', `${request} is above the limit ${limit}`);
      }
    }
  }

  checkLifecycle(sts: IStatefulSet & KubeObject, config: NodeConfig): void {
    const object = id(sts);
    const spec = sts.spec!;
    const grace = spec.template.spec?.terminationGracePeriodSeconds ?? 30;
    // stop(): in-flight requests get shutdownTimeoutMs, the block store's checkpoint as long again.
    const drainMs = 2 * config.shutdownTimeoutMs;
    if (grace * 1000 <= drainMs) {
      this.add(object, 'spec.template.spec.terminationGracePeriodSeconds', 'LIFECYCLE', `${grace} s is not above the node's drain (2 × PEERWEAVE_SHUTDOWN_TIMEOUT_MS = ${drainMs / 1000} s): the kubelet would SIGKILL it mid-checkpoint`);
    }
    if (spec.podManagementPolicy !== 'Parallel') {
      this.add(object, 'spec.podManagementPolicy', 'LIFECYCLE', 'must be Parallel: a node is Ready only after it joined another, so OrderedReady would wait forever for pod 0');
    }
    if (spec.updateStrategy?.type === 'OnDelete') {
      this.add(object, 'spec.updateStrategy.type', 'LIFECYCLE', 'must be RollingUpdate: one pod at a time, each Ready before the next');
    }
    const maxUnavailable = spec.updateStrategy?.rollingUpdate?.maxUnavailable;
    if (maxUnavailable !== undefined && maxUnavailable !== 1) {
      this.add(object, 'spec.updateStrategy.rollingUpdate.maxUnavailable', 'LIFECYCLE', 'must be 1 (or unset): an update replaces one node at a time');
    }
    if (spec.template.spec?.enableServiceLinks !== false) {
      this.add(object, 'spec.template.spec.enableServiceLinks', 'LIFECYCLE', 'must be false: Service links inject <SERVICE>_PORT=tcp://… variables, and a Service named peerweave-grpc would set PEERWEAVE_GRPC_PORT');
    }
  }

  async checkScrape(sts: IStatefulSet & KubeObject, config: NodeConfig): Promise<void> {
    const object = id(sts);
    const a = (sts.spec?.template.metadata?.annotations ?? {}) as Labels;
    const at = 'spec.template.metadata.annotations';
    if (a['prometheus.io/scrape'] !== 'true') this.add(object, `${at}["prometheus.io/scrape"]`, 'SCRAPE', 'must be "true"');
    if (Number(a['prometheus.io/port']) !== config.httpPort) this.add(object, `${at}["prometheus.io/port"]`, 'SCRAPE', `must be the node's HTTP port "${config.httpPort}"`);
    const path = a['prometheus.io/path'] ?? '/metrics';
    const status = await this.#facts.http.status(path, false);
    if (status !== 200) this.add(object, `${at}["prometheus.io/path"]`, 'SCRAPE', `GET ${path} answers ${status} on a starting node (metrics are /metrics)`);
  }

  checkTopology(sts: IStatefulSet & KubeObject, labels: Labels): void {
    const spread = sts.spec?.template.spec?.topologySpreadConstraints ?? [];
    const byHost = spread.find((t) => t.topologyKey === 'kubernetes.io/hostname' && selects(t.labelSelector, labels));
    if (byHost === undefined) {
      this.add(id(sts), 'spec.template.spec.topologySpreadConstraints', 'TOPOLOGY', 'needs a constraint on kubernetes.io/hostname over all Peerweave pods: one Kubernetes node failing must not take many replicas of the same blocks');
    }
  }

  // ----------------------------------------------------------------------------------- cross-object

  checkServices(workloads: NodeWorkload[]): void {
    let api = false;
    for (const svc of this.of<IService>('Service')) {
      const selected = workloads.filter((w) => w.ns === nsOf(svc) && serviceSelects(svc.spec?.selector as Labels | undefined, w.labels));
      for (const [i, p] of (svc.spec?.ports ?? []).entries()) {
        for (const w of selected) {
          for (const { container, config } of w.configs) {
            const target = this.containerPort(container, p.targetPort ?? p.port);
            if (target === undefined) {
              this.add(id(svc), `spec.ports[${i}].targetPort`, 'SERVICE', `${String(p.targetPort)} is not a port of the pods of ${w.object}`);
            } else if (target === config.httpPort && svc.spec?.clusterIP !== 'None' && (svc.spec?.type ?? 'ClusterIP') === 'ClusterIP') {
              api = true;
            }
          }
        }
      }
    }
    if (!api && workloads.some((w) => w.configs.length > 0)) this.add(workloads[0]!.object, 'spec.template.metadata.labels', 'SERVICE', 'no ClusterIP Service sends users to the nodes\' HTTP API');
  }

  checkDisruptionBudgets(workloads: NodeWorkload[]): void {
    const pdbs = this.of<IPodDisruptionBudget>('PodDisruptionBudget');
    for (const w of workloads) {
      const covering = pdbs.filter((p) => nsOf(p) === w.ns && selects(p.spec?.selector, w.labels));
      if (covering.length === 0) this.add(w.object, 'spec.template.metadata.labels', 'PDB', 'no PodDisruptionBudget covers these pods: a drain could take every replica of a block at once');
      if (covering.length > 1) this.add(w.object, 'spec.template.metadata.labels', 'PDB', `covered by ${covering.map(id).join(' and ')}: the eviction API refuses to evict a pod under two budgets`);
    }
    for (const pdb of pdbs) {
      const covered = workloads.filter((w) => nsOf(pdb) === w.ns && selects(pdb.spec?.selector, w.labels));
      if (covered.length === 0) continue;
      const missing = workloads.filter((w) => w.ns === nsOf(pdb) && !covered.includes(w));
      if (missing.length > 0) {
        this.add(id(pdb), 'spec.selector', 'PDB', `covers ${covered.map((w) => w.object).join(', ')} but not ${missing.map((w) => w.object).join(', ')}: a block's r replicas can be on any Peerweave pods, so one budget must cover them all`);
      }
      const rs = covered.flatMap((w) => w.configs.map((c) => c.config.replicationFactor));
      if (rs.length === 0) continue;
      const r = Math.min(...rs);
      const total = covered.reduce((n, w) => n + w.replicas, 0);
      const { maxUnavailable, minAvailable } = pdb.spec ?? {};
      const bound = `r - 1 = ${r - 1} (PEERWEAVE_REPLICATION_FACTOR = ${r}): r nodes down at once can be every replica of some block`;
      if (typeof maxUnavailable === 'string' || typeof minAvailable === 'string') {
        this.add(id(pdb), typeof maxUnavailable === 'string' ? 'spec.maxUnavailable' : 'spec.minAvailable', 'PDB', `a percentage cannot bound the pods down to ${bound}; give a count`);
      } else if (maxUnavailable !== undefined) {
        if (maxUnavailable > r - 1) this.add(id(pdb), 'spec.maxUnavailable', 'PDB', `${maxUnavailable} is above ${bound}`);
        if (maxUnavailable < 1) this.add(id(pdb), 'spec.maxUnavailable', 'PDB', `${maxUnavailable} blocks every drain of a Kubernetes node`);
      } else if (minAvailable !== undefined) {
        if (total - minAvailable > r - 1) this.add(id(pdb), 'spec.minAvailable', 'PDB', `${minAvailable} of ${total} pods lets ${total - minAvailable} go, above ${bound}`);
      } else {
        this.add(id(pdb), 'spec', 'PDB', 'sets neither maxUnavailable nor minAvailable');
      }
    }
  }

  checkNetworkPolicies(workloads: NodeWorkload[]): void {
    const policies = this.of<INetworkPolicy>('NetworkPolicy');
    for (const w of workloads) {
      const first = w.configs[0];
      if (first === undefined) continue;
      const { container, config } = first;
      const applying = policies.filter((p) => nsOf(p) === w.ns && selects(p.spec?.podSelector, w.labels) && (p.spec?.policyTypes ?? ['Ingress']).includes('Ingress'));
      if (applying.length === 0) {
        this.add(w.object, 'spec.template.metadata.labels', 'NETWORK_POLICY', `no NetworkPolicy restricts ingress to these pods: gRPC ${config.grpcPort} would be open to every pod of the cluster`);
        continue;
      }
      let grpcForNodes = false;
      let http = false;
      for (const p of applying) {
        for (const [i, rule] of (p.spec?.ingress ?? []).entries()) {
          const at = `spec.ingress[${i}]`;
          const opens = (port: number): boolean =>
            rule.ports === undefined || rule.ports.length === 0 || rule.ports.some((rp) => {
              const from = this.containerPort(container, rp.port);
              if (rp.port === undefined) return true;
              return from !== undefined && (from === port || (rp.endPort !== undefined && from <= port && port <= rp.endPort));
            });
          if (opens(config.httpPort)) http = true;
          if (!opens(config.grpcPort)) continue;
          const from = rule.from ?? [];
          if (from.length === 0) this.add(id(p), `${at}.from`, 'NETWORK_POLICY', `opens gRPC ${config.grpcPort} to every source; only Peerweave pods may reach it`);
          for (const [j, peer] of from.entries()) {
            const pat = `${at}.from[${j}]`;
            if (peer.ipBlock !== undefined) this.add(id(p), `${pat}.ipBlock`, 'NETWORK_POLICY', `opens gRPC ${config.grpcPort} to an address block; only Peerweave pods may reach it`);
            if (peer.namespaceSelector !== undefined) this.add(id(p), `${pat}.namespaceSelector`, 'NETWORK_POLICY', `opens gRPC ${config.grpcPort} to pods of other namespaces; only Peerweave pods may reach it`);
            if (peer.podSelector !== undefined && isSelectorEmpty(peer.podSelector)) this.add(id(p), `${pat}.podSelector`, 'NETWORK_POLICY', `opens gRPC ${config.grpcPort} to every pod of the namespace; only Peerweave pods may reach it`);
            else if (peer.podSelector !== undefined && peer.namespaceSelector === undefined && workloads.every((x) => selects(peer.podSelector, x.labels))) grpcForNodes = true;
          }
        }
      }
      if (!grpcForNodes) this.add(w.object, 'spec.template.metadata.labels', 'NETWORK_POLICY', `no NetworkPolicy rule lets the Peerweave pods reach each other's gRPC port ${config.grpcPort}: the network could not form`);
      if (!http) this.add(w.object, 'spec.template.metadata.labels', 'NETWORK_POLICY', `no NetworkPolicy rule opens the HTTP API ${config.httpPort} to anyone`);
    }
  }

  async checkServiceMonitors(workloads: NodeWorkload[]): Promise<void> {
    for (const sm of this.of<IServiceMonitor>('ServiceMonitor')) {
      const nsSel = sm.spec?.namespaceSelector;
      const inScope = (s: KubeObject): boolean => (nsSel?.any === true ? true : (nsSel?.matchNames ?? [nsOf(sm)]).includes(nsOf(s)));
      const services = this.of<IService>('Service').filter((s) => inScope(s) && selects(sm.spec?.selector, (s.metadata as { labels?: Labels } | undefined)?.labels ?? {}));
      if (services.length === 0) {
        this.add(id(sm), 'spec.selector', 'SERVICE_MONITOR', 'selects no Service of this render');
        continue;
      }
      for (const [i, ep] of (sm.spec?.endpoints ?? []).entries()) {
        const at = `spec.endpoints[${i}]`;
        for (const svc of services) {
          const port = svc.spec?.ports?.find((p) => p.name === ep.port);
          if (port === undefined) {
            this.add(id(sm), `${at}.port`, 'SERVICE_MONITOR', `${String(ep.port)} is not a port name of ${id(svc)}`);
            continue;
          }
          for (const w of workloads.filter((x) => x.ns === nsOf(svc) && serviceSelects(svc.spec?.selector as Labels | undefined, x.labels))) {
            for (const { container, config } of w.configs) {
              if (this.containerPort(container, port.targetPort ?? port.port) !== config.httpPort) {
                this.add(id(sm), `${at}.port`, 'SERVICE_MONITOR', `${String(ep.port)} does not reach the HTTP port ${config.httpPort} of ${w.object}`);
              }
            }
          }
        }
        const path = ep.path ?? '/metrics';
        const status = await this.#facts.http.status(path, false);
        if (status !== 200) this.add(id(sm), `${at}.path`, 'SERVICE_MONITOR', `GET ${path} answers ${status} (metrics are /metrics)`);
      }
    }
  }
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = formatFinding(f);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Every finding about the rendered objects of one overlay; none means the overlay is sound. */
export async function checkManifests(objects: KubeObject[], facts: Facts): Promise<Finding[]> {
  return new Checker(objects, facts).run();
}

/** Renders and checks each kustomization directory. */
export async function checkKustomizations(dirs: readonly string[], facts: Facts): Promise<Map<string, Finding[]>> {
  const out = new Map<string, Finding[]>();
  for (const dir of dirs) out.set(dir, await checkManifests(await renderKustomization(dir), facts));
  return out;
}

if (import.meta.main) {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) {
    process.stderr.write('usage: node scripts/kubernetes-manifests.ts <kustomization dir>...\n');
    process.exit(2);
  }
  const facts = await loadFacts();
  let failed = false;
  try {
    for (const [dir, findings] of await checkKustomizations(dirs, facts)) {
      for (const f of findings) process.stderr.write(`${dir}: ${formatFinding(f)}\n`);
      if (findings.length > 0) failed = true;
      else process.stdout.write(`${dir}: ok\n`);
    }
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    failed = true;
  } finally {
    await facts.close();
  }
  process.exit(failed ? 1 : 0);
}
