import type { Options } from '@grpc/proto-loader';

/**
 * How protobuf messages become JS objects, used both by `proto-loader-gen-types` (scripts/proto-gen.ts)
 * and by run-time loading, so the generated types describe exactly what the loader produces.
 * Change it only together with `npm run proto:gen`.
 *
 * - camelCase field names (keepCase false): idiomatic TS; the wire format is unaffected.
 * - int64 as `number`: our 64-bit fields are millisecond timestamps and counters, far below 2^53.
 * - enums as their names: readable in logs and stable when values are appended.
 * - defaults: absent scalars read as their zero value, as proto3 specifies, never `undefined`.
 * - oneofs: a virtual field names the member that is set.
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const satisfies Options;

/** The `proto-loader-gen-types` flags that produce types for {@link PROTO_LOADER_OPTIONS}. */
export function protoGenTypesFlags(options: Options = PROTO_LOADER_OPTIONS): string[] {
  const flags: string[] = [];
  if (options.keepCase === true) flags.push('--keepCase');
  if (options.longs !== undefined) flags.push('--longs', options.longs.name);
  if (options.enums !== undefined) flags.push('--enums', options.enums.name);
  if (options.bytes !== undefined) flags.push('--bytes', options.bytes.name);
  if (options.defaults === true) flags.push('--defaults');
  if (options.arrays === true) flags.push('--arrays');
  if (options.objects === true) flags.push('--objects');
  if (options.oneofs === true) flags.push('--oneofs');
  if (options.json === true) flags.push('--json');
  return flags;
}
