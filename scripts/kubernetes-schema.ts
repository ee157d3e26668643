// Validates Kubernetes objects against the API schema that kubernetes-models ships (one compiled
// validator per kind), strictly: the library checks types and required fields but lets unknown
// fields through (the API server drops them silently, or rejects them only under strict field
// validation), so a misspelt `runAsNonroot` would pass. The strict part reuses the library's own
// schema instead of a second copy: the validator is run on a proxy of the object that records which
// properties it reads, and a validator reads every property its schema declares (and enumerates the
// keys of a map, such as labels). A key it never read is not in the schema.
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';

/** The kinds the manifests use, by `apiVersion/kind`. Another kind is reported, not skipped. */
const MODELS: Readonly<Record<string, { prototype: { validate(): void } }>> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

export interface SchemaProblem {
  code: 'UNSUPPORTED_KIND' | 'SCHEMA' | 'UNKNOWN_FIELD';
  /** Dotted path inside the object, e.g. `spec.template.spec.containers[0].ports[1].containerPort`. */
  field: string;
  message: string;
}

interface AjvError {
  instancePath: string;
  message?: string;
}

/** `/spec/containers/0/name` → `spec.containers[0].name`. */
export function pointerToField(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

function joinField(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const safe = /^[A-Za-z_][\w-]*$/.test(key) ? key : JSON.stringify(key);
  return parent === '' ? safe : `${parent}.${safe}`;
}

/** Records, per path in the object, the keys the validator read and whether it listed all keys. */
class ReadTracker {
  readonly reads = new Map<string, Set<string>>();
  readonly enumerated = new Set<string>();

  track(value: unknown, field: string): unknown {
    if (value === null || typeof value !== 'object') return value;
    return new Proxy(value, {
      get: (target, key, receiver) => {
        const v: unknown = Reflect.get(target, key, receiver);
        if (typeof key !== 'string' || !Object.hasOwn(target, key)) return v;
        let keys = this.reads.get(field);
        if (keys === undefined) this.reads.set(field, (keys = new Set()));
        keys.add(key);
        return this.track(v, joinField(field, Array.isArray(target) ? Number(key) : key));
      },
      ownKeys: (target) => {
        this.enumerated.add(field);
        return Reflect.ownKeys(target);
      },
    });
  }

  /** Keys of `value` (recursively) that the validator neither read nor enumerated. */
  unknown(value: unknown, field = ''): string[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => this.unknown(v, joinField(field, i)));
    if (value === null || typeof value !== 'object') return [];
    const read = this.reads.get(field);
    const listed = this.enumerated.has(field);
    const out: string[] = [];
    for (const [key, v] of Object.entries(value)) {
      const child = joinField(field, key);
      if (listed || read?.has(key)) out.push(...this.unknown(v, child));
      else out.push(child);
    }
    return out;
  }
}

/** Every schema problem of one object: wrong types, missing required fields, unknown fields. */
export function validateObject(object: Record<string, unknown>): SchemaProblem[] {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const model = MODELS[key];
  if (model === undefined) {
    return [{ code: 'UNSUPPORTED_KIND', field: 'kind', message: `no schema for ${key} here: add its model to MODELS in scripts/kubernetes-schema.ts` }];
  }
  const tracker = new ReadTracker();
  const problems: SchemaProblem[] = [];
  try {
    model.prototype.validate.call(tracker.track(object, ''));
  } catch (err) {
    const errors = (err as { errors?: AjvError[] }).errors;
    if (!Array.isArray(errors)) throw err;
    // One problem per field: a oneOf (int-or-string, quantities) fails once per branch and once more.
    const byField = new Map<string, Set<string>>();
    for (const e of errors) {
      const field = pointerToField(e.instancePath) || '(object)';
      let messages = byField.get(field);
      if (messages === undefined) byField.set(field, (messages = new Set()));
      messages.add(e.message ?? 'is invalid');
    }
    for (const [field, messages] of byField) {
      problems.push({ code: 'SCHEMA', field, message: `${[...messages].join('; ')} (${key})` });
    }
  }
  for (const field of tracker.unknown(object)) {
    problems.push({ code: 'UNKNOWN_FIELD', field, message: `not a field of ${key} in the Kubernetes API schema` });
  }
  return problems;
}
