import ajvCompiler from '@fastify/ajv-compiler';
import serializerCompiler from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

/**
 * Fastify's own validator and serializer compilers (ajv, fast-json-stringify), each route's schema
 * compiled on the first request that needs it instead of at start (issue #12). At start the node
 * compiled ~30 validators and ~60 response serializers, most of them for routes an idle node never
 * serves: ajv's code generation was hot enough for TurboFan and its output stayed in the heap.
 * Measured on one idle node from the bundle: see the commit that added this file.
 *
 * What changes: a schema that ajv or fast-json-stringify rejects fails its route's first request
 * (500) rather than the node's start; `compileAll()` compiles every schema seen so far, so a spec
 * (lazy-schema-compilers.spec.ts) still fails on a bad one. Fastify treats any compiler passed this
 * way as custom, which means it hands a route's `headers` schema to it as written instead of with
 * its property names lowercased first: a header named with a capital letter fails at start.
 */
export interface LazySchemaCompilers {
  /** Fastify's `schemaController` option. */
  readonly schemaController: NonNullable<FastifyServerOptions['schemaController']>;
  /** Compiles every schema not compiled yet (throws what the compiler throws); the number compiled. */
  compileAll(): number;
}

type Compiled = ((data: unknown) => unknown) & { errors?: unknown };

export function lazySchemaCompilers(): LazySchemaCompilers {
  const buildValidator = ajvCompiler();
  const buildSerializer = serializerCompiler();
  const pending = new Set<() => unknown>();

  /** `compile()` runs on the first call of the returned function; it forwards ajv's `errors`. */
  function lazy<F>(compile: () => F): F {
    let fn: Compiled | undefined;
    const get = (): Compiled => {
      if (fn === undefined) {
        fn = compile() as Compiled;
        pending.delete(get);
      }
      return fn;
    };
    pending.add(get);
    const wrapper: Compiled = (data) => {
      const inner = get();
      const result = inner(data);
      wrapper.errors = inner.errors;
      return result;
    };
    return wrapper as F;
  }

  return {
    schemaController: {
      compilersFactory: {
        buildValidator(externalSchemas, ajvOptions) {
          const compile = buildValidator(externalSchemas, ajvOptions);
          return (route) => {
            if (route.httpPart === 'headers') checkLowercaseHeaders(route.schema, `${route.method} ${route.url}`);
            return lazy(() => compile(route));
          };
        },
        buildSerializer(externalSchemas, serializerOptions) {
          const compile = buildSerializer(externalSchemas, serializerOptions);
          return (route) => lazy(() => compile(route));
        },
      },
    },
    compileAll() {
      let n = 0;
      for (const get of [...pending]) {
        get();
        n++;
      }
      return n;
    },
  };
}

/** Node lowercases the names of received headers: a `headers` schema must name them so. */
function checkLowercaseHeaders(schema: unknown, route: string): void {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  const required = (schema as { required?: unknown } | undefined)?.required;
  const names = [...Object.keys(properties), ...(Array.isArray(required) ? (required as unknown[]) : [])];
  const bad = names.find((name) => typeof name === 'string' && name !== name.toLowerCase());
  if (bad !== undefined) throw new Error(`${route}: header ${JSON.stringify(bad)} in the headers schema must be lowercase`);
}
