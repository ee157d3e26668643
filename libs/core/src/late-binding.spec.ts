import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorCode, NotReadyError } from './errors.ts';
import { lateBound } from './late-binding.ts';

interface Greeter {
  greet(name: string): string;
  count(): Promise<number>;
}

class Impl implements Greeter {
  readonly #prefix = 'hello';
  calls = 0;
  greet(name: string): string {
    this.calls++;
    return `${this.#prefix} ${name}`;
  }
  async count(): Promise<number> {
    return this.calls;
  }
}

describe('lateBound', () => {
  it('a call before bind throws NotReadyError (NOT_READY) naming the binding and the method', () => {
    const late = lateBound<Greeter>('greeter');
    assert.equal(late.bound, false);
    assert.throws(() => late.target.greet('x'), (err: unknown) => {
      assert.ok(err instanceof NotReadyError);
      assert.equal(errorCode(err), 'NOT_READY');
      assert.match((err as Error).message, /greeter is not ready: greet\(\) called before it was bound/);
      return true;
    });
  });

  it('after bind, forwards every call with `this` set to the implementation (private fields work)', async () => {
    const late = lateBound<Greeter>('greeter');
    const impl = new Impl();
    late.bind(impl);
    assert.equal(late.bound, true);
    assert.equal(late.target.greet('ada'), 'hello ada');
    assert.equal(await late.target.count(), 1);
    assert.equal(impl.calls, 1);
  });

  it('a method read before bind works once bound (looked up at call time), and keeps its identity', () => {
    const late = lateBound<Greeter>('greeter');
    const { greet } = late.target;
    assert.equal(late.target.greet, greet);
    late.bind(new Impl());
    assert.equal(greet('bob'), 'hello bob');
  });

  it('is not thenable, so awaiting or resolving it does not call anything', async () => {
    const late = lateBound<Greeter>('greeter');
    assert.equal((late.target as unknown as { then?: unknown }).then, undefined);
    assert.equal(await Promise.resolve(late.target), late.target);
  });

  it('once bound, a method the implementation lacks reads as undefined; a kept one fails with a code', () => {
    const late = lateBound<Partial<Greeter> & { other?(): void }>('partial');
    const other = late.target.other!;
    late.bind({ greet: (n: string) => n });
    assert.equal(late.target.other, undefined);
    assert.equal('other' in late.target, false);
    assert.equal('greet' in late.target, true);
    assert.throws(() => other(), { code: 'METHOD_NOT_ALLOWED' });
  });

  it('bound to several parts, a call goes to the part that has the method, as it is at the call', () => {
    const late = lateBound<Greeter>('service');
    const counting = { count: async () => 7 };
    late.bind({ greet: (n: string) => `hi ${n}` }, counting);
    assert.equal(late.target.greet('x'), 'hi x');
    counting.count = async () => 8;
    return late.target.count().then((n) => assert.equal(n, 8, 'the replaced method is the one called'));
  });

  it('binds only once, and only to objects', () => {
    const late = lateBound<Greeter>('greeter');
    assert.throws(() => late.bind(null as unknown as Greeter), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => late.bind(), { code: 'INVALID_ARGUMENT' });
    late.bind(new Impl());
    assert.throws(() => late.bind(new Impl()), { code: 'FAILED_PRECONDITION' });
  });
});
