import { NotReadyError, PeerweaveError } from './errors.ts';

/**
 * An object whose methods forward to an implementation given later: a server must register its
 * handlers before it listens, while the component that serves them can only be built once the
 * listener's address is known (a gRPC server bound to port 0, a routing node that advertises it).
 *
 * `target` stands for the implementation from the start. Before `bind`, calling one of its methods
 * throws NotReadyError (NOT_READY: a caller over the network sees UNAVAILABLE and tries another
 * peer); after it, every call goes to the bound object, with `this` set to it. Methods are looked
 * up at call time, so a caller may keep a method it read from `target` before the bind, and a method
 * replaced on the implementation afterwards is the one called. Once bound, a method the
 * implementation lacks reads as undefined (a server then answers "not served").
 */
export interface LateBinding<T extends object> {
  readonly target: T;
  /** True once `bind` was called. */
  readonly bound: boolean;
  /** Sets the implementation; only once (FAILED_PRECONDITION on a second call). */
  bind(implementation: T): void;
  /**
   * Several objects that together implement T (the routing and content handlers of one peer
   * service): a call goes to the first of them that has the method.
   */
  bind(...parts: Partial<T>[]): void;
}

/** A LateBinding of `T`; `what` names it in the error a call before `bind` gets. */
export function lateBound<T extends object>(what: string): LateBinding<T> {
  let parts: readonly object[] | undefined;
  // The object that has `name` as a method, else the first: looked up at each call.
  const owner = (name: string): object => parts!.find((p) => typeof Reflect.get(p, name) === 'function') ?? parts![0]!;
  const forwarders = new Map<string, (...args: unknown[]) => unknown>();
  const forwarder = (name: string) => {
    let f = forwarders.get(name);
    if (f === undefined) {
      f = (...args: unknown[]): unknown => {
        if (parts === undefined) throw new NotReadyError(`${what} is not ready: ${name}() called before it was bound`);
        const self = owner(name);
        const method: unknown = Reflect.get(self, name);
        if (typeof method !== 'function') throw new PeerweaveError('METHOD_NOT_ALLOWED', `${what} has no method ${name}()`);
        return method.apply(self, args);
      };
      forwarders.set(name, f);
    }
    return f;
  };
  const target = new Proxy(Object.create(null) as T, {
    get(_, key) {
      // Not a method name (symbols), or what `await` and Promise.resolve probe: never forwarded, so
      // the target is not mistaken for a promise.
      if (parts === undefined) return typeof key !== 'string' || key === 'then' ? undefined : forwarder(key);
      const value: unknown = Reflect.get(owner(String(key)), key);
      return typeof value === 'function' && typeof key === 'string' && key !== 'then' ? forwarder(key) : value;
    },
    has(_, key) {
      return parts === undefined ? typeof key === 'string' : parts.some((p) => key in p);
    },
  });
  return {
    target,
    get bound() {
      return parts !== undefined;
    },
    bind(...implementations: Partial<T>[]) {
      if (parts !== undefined) throw new PeerweaveError('FAILED_PRECONDITION', `${what} is already bound`);
      if (implementations.length === 0 || implementations.some((i) => i === null || typeof i !== 'object')) {
        throw new PeerweaveError('INVALID_ARGUMENT', `${what} must be bound to one or more objects`);
      }
      parts = implementations;
    },
  };
}
