// The node's HTTP contract as the CLI sees it: types only, derived from generated/api.ts (which
// scripts/api-gen.ts writes from the node's own OpenAPI document). Nothing here exists at run time.
import type { paths } from './generated/api.ts';

export type { paths };

/** The methods the CLI calls. */
export type Method = 'get' | 'post' | 'put' | 'delete';

/** The operation `M` of path `P` (never when the path does not answer that method). */
export type Operation<P extends keyof paths, M extends Method> = Exclude<paths[P][M], undefined>;

/** Paths that answer method `M`. */
export type PathWith<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never;
}[keyof paths];

type Success<R> = R extends { 200: infer A } ? A : R extends { 201: infer A } ? A : never;
type JsonContent<A> = A extends { content: { 'application/json': infer J } } ? J : never;

/** The JSON body of the 2xx answer of `M P`. */
export type JsonAnswer<P extends keyof paths, M extends Method> = JsonContent<Success<Operation<P, M>['responses']>>;

type Parameters<P extends keyof paths, M extends Method> = Operation<P, M>['parameters'];

/** The query string of `M P` (an object, as the document declares it). */
export type QueryOf<P extends keyof paths, M extends Method> = NonNullable<Parameters<P, M>['query']>;

/** `{ path: {...} }` when the path has parameters (`/v1/objects/{cid}`), else nothing required. */
export type PathParams<P extends keyof paths, M extends Method> = Parameters<P, M> extends { path: infer X } ? { readonly path: X } : { readonly path?: never };

/** `{ query: {...} }`: required when the document requires a parameter (`q` of search), else optional. */
export type QueryParams<P extends keyof paths, M extends Method> = Parameters<P, M> extends { query: infer Q }
  ? { readonly query: Q }
  : { readonly query?: QueryOf<P, M> };

/** What `GET /v1/status` answers. */
export type NodeStatus = JsonAnswer<'/v1/status', 'get'>;
/** What `GET /v1/peers` answers. */
export type PeersAnswer = JsonAnswer<'/v1/peers', 'get'>;
/** One row of {@link PeersAnswer}. */
export type PeerRow = PeersAnswer['peers'][number];
/** The states `GET /v1/peers?state=` accepts. */
export type PeerState = NonNullable<QueryOf<'/v1/peers', 'get'>['state']>;
/** What `POST /v1/objects` answers (201). */
export type PutAnswer = JsonAnswer<'/v1/objects', 'post'>;
/** What `GET /v1/objects/{cid}/meta` answers. */
export type ObjectMeta = JsonAnswer<'/v1/objects/{cid}/meta', 'get'>;
/** What `GET /v1/search` answers. */
export type SearchAnswer = JsonAnswer<'/v1/search', 'get'>;
/** The modes `GET /v1/search?mode=` accepts. */
export type SearchMode = NonNullable<QueryOf<'/v1/search', 'get'>['mode']>;
