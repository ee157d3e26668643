/** The shape of every service's codec table (routing, content, search and node). */

/** The domain types of one method. */
export interface MethodTypes {
  request: unknown;
  response: unknown;
}

/** The wire types of one method: what is encoded (`…In`) and what the loader decodes (`…Out`). */
export interface WireTypes {
  requestIn: unknown;
  requestOut: unknown;
  responseIn: unknown;
  responseOut: unknown;
}

/** Encoding and decoding of one method's request and response. Every function throws InvalidArgumentError. */
export interface MethodCodec<D extends MethodTypes, W extends WireTypes> {
  encodeRequest(request: D['request']): W['requestIn'];
  decodeRequest(message: W['requestOut']): D['request'];
  encodeResponse(response: D['response']): W['responseIn'];
  decodeResponse(message: W['responseOut']): D['response'];
}

/** What the serving side needs of a method's codec: decode the request, encode the response. */
export interface ServerCodec<D extends MethodTypes> {
  decodeRequest(message: never): D['request'];
  encodeResponse(response: D['response']): unknown;
}

/** Lists the methods of a service from its table of gRPC method names (table order: append only). */
export function methodsOf<M extends string>(rpcNames: { readonly [K in M]: string }): readonly M[] {
  return Object.keys(rpcNames) as M[];
}

/** A type guard for the methods of a service, from its table of gRPC method names. */
export function methodGuard<M extends string>(rpcNames: { readonly [K in M]: string }): (value: unknown) => value is M {
  return (value: unknown): value is M => typeof value === 'string' && Object.hasOwn(rpcNames, value);
}
