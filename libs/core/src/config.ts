import type { TSchema, Static } from 'typebox';
import { Value } from 'typebox/value';
import { ConfigError } from './errors.ts';

const PRESETS = ['lan', 'local', 'test'] as const;
export type Preset = (typeof PRESETS)[number];

/** A default that differs by preset, or one value for all of them. */
export type PresetValue<T> = T | { readonly [P in Preset]: T };

export interface ConfigField<S extends TSchema = TSchema> {
  /** Environment variable that sets it. */
  readonly env: string;
  /** What the value accepts, as shown in the error line and the README table. */
  readonly accepts: string;
  /** What it does and its trade-off. */
  readonly doc: string;
  readonly schema: S;
  readonly default: PresetValue<Static<S>>;
  /** Turns the raw string into the candidate value; defaults to TypeBox's conversion. */
  readonly parse?: (raw: string) => unknown;
}

export type ConfigSpec = Readonly<Record<string, ConfigField>>;
export type ConfigOf<C extends ConfigSpec> = { -readonly [K in keyof C]: Static<C[K]['schema']> };

function isPresetMap<T>(value: PresetValue<T>): value is { readonly [P in Preset]: T } {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && PRESETS.every((p) => p in value)
  );
}

export function presetDefault<T>(value: PresetValue<T>, preset: Preset): T {
  return isPresetMap(value) ? value[preset] : value;
}

/** Splits a comma- or whitespace-separated list, dropping empty items. */
export function parseList(raw: string): string[] {
  return raw
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Reads every field of `spec` from `env` once, at start. A value that does not validate throws a
 * ConfigError whose message is one line naming the variable and what it accepts; apps print it and
 * exit 1. Unset or empty variables take the preset's default.
 */
export function loadConfig<C extends ConfigSpec>(spec: C, env: NodeJS.ProcessEnv, preset: Preset): ConfigOf<C> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(spec)) {
    const raw = env[field.env];
    if (raw === undefined || raw.trim() === '') {
      out[key] = presetDefault(field.default, preset);
      continue;
    }
    const candidate = field.parse ? field.parse(raw.trim()) : convert(field.schema, raw.trim());
    if (!Value.Check(field.schema, candidate)) {
      throw new ConfigError(`${field.env}=${JSON.stringify(raw)} is invalid: expected ${field.accepts}`, {
        details: { variable: field.env, accepts: field.accepts },
      });
    }
    out[key] = candidate;
  }
  return out as ConfigOf<C>;
}

/**
 * String → value for a schema. Integers are parsed strictly (TypeBox's conversion would turn
 * "80.5" into 80, silently accepting a typo).
 */
function convert(schema: TSchema, raw: string): unknown {
  const type = (schema as { type?: unknown }).type;
  if (type === 'integer') return /^-?\d+$/.test(raw) ? Number(raw) : raw;
  return Value.Convert(schema, raw);
}

/** Reads the preset itself, the one variable every other default depends on. */
export function loadPreset(env: NodeJS.ProcessEnv, variable = 'PEERWEAVE_PRESET', fallback: Preset = 'lan'): Preset {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if ((PRESETS as readonly string[]).includes(raw)) return raw as Preset;
  throw new ConfigError(`${variable}=${JSON.stringify(raw)} is invalid: expected one of ${PRESETS.join(', ')}`, {
    details: { variable, accepts: PRESETS.join('|') },
  });
}

/** Markdown table of a spec, for the README (kept true by a unit test). */
export function configTable(spec: ConfigSpec): string {
  const fmt = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v)) || '(empty)';
  const rows = Object.values(spec).map((f) => {
    const d = isPresetMap(f.default)
      ? PRESETS.map((p) => `${p}: \`${fmt((f.default as Record<Preset, unknown>)[p])}\``).join('<br>')
      : `\`${fmt(f.default)}\``;
    return `| \`${f.env}\` | ${f.accepts} | ${d} | ${f.doc} |`;
  });
  return ['| variable | accepts | default | what it does |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
