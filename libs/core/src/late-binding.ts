import { NotReadyError, PeerweaveError } from './errors.ts';

/**
 * An object whose methods forward to an implementation given later: a server must register its
 * handlers before it listens, while the component that serves them can only be built once the
 * listener's address is known (a gRPC server bound to port 0, a routing node that advertises it).
 *
 * `target` stands for the implementation from the start. Before `bind`, calling one of its methods
 * throws NotReadyError (NOT_READY: a caller over the network sees UNAVAILABLE and tries another
 * peer); after it, every call goes to the bound object, with `this` set to it. Methods are looked
 * up at call time, so a caller may keep a method it read from `target` before the bind. Once bound,
 * a method the implementation lacks reads as undefined (a server then answers "not served").
 */
export interface LateBinding<T extends object> {
  readonly target: T;
  /** True once `bind` was called. */
  readonly bound: boolean;
  /** Sets the implementation; only once (FAILED_PRECONDITION on a second call). */
  bind(implementation: T): void;
}

/** A LateBinding of `T`; `what` names it in the error a call before `bind` gets. */
export function lateBound<T extends object>(what: string): LateBinding<T> {
  let implementation: T | undefined;
  const forwarders = new Map<string, (...args: unknown[]) => unknown>();
  const forwarder = (name: string) => {
    let f = forwarders.get(name);
    if (f === undefined) {
      f = (...args: unknown[]): unknown => {
        if (implementation === undefined) throw new NotReadyError(`${what} is not ready: ${name}() called before it was bound`);
        const method = (implementation as Record<string, unknown>)[name];
        if (typeof method !== 'function') throw new PeerweaveError('METHOD_NOT_ALLOWED', `${what} has no method ${name}()`);
        return method.apply(implementation, args);
      };
      forwarders.set(name, f);
    }
    return f;
  };
  const target = new Proxy(Object.create(null) as T, {
    get(_, key) {
      // Not a method name (symbols), or what `await` and Promise.resolve probe: never forwarded, so
      // the target is not mistaken for a promise.
      if (typeof key !== 'string' || key === 'then') return implementation === undefined ? undefined : Reflect.get(implementation, key);
      if (implementation === undefined) return forwarder(key);
      return typeof Reflect.get(implementation, key) === 'function' ? forwarder(key) : Reflect.get(implementation, key);
    },
    has(_, key) {
      return implementation === undefined ? typeof key === 'string' : key in implementation;
    },
  });
  return {
    target,
    get bound() {
      return implementation !== undefined;
    },
    bind(impl: T) {
      if (implementation !== undefined) throw new PeerweaveError('FAILED_PRECONDITION', `${what} is already bound`);
      if (impl === null || typeof impl !== 'object') throw new PeerweaveError('INVALID_ARGUMENT', `${what} must be bound to an object`);
      implementation = impl;
    },
  };
}
