import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerOf, neededScope, rateClass, routeAccess } from './route-access.ts';

describe('route access', () => {
  it('derives from the method unless declared: any method but GET/HEAD/OPTIONS is a write', () => {
    const table: [string, Parameters<typeof routeAccess>[1], string][] = [
      ['GET', undefined, 'read'],
      ['HEAD', undefined, 'read'],
      ['options', undefined, 'read'],
      ['POST', undefined, 'write'],
      ['PUT', undefined, 'write'],
      ['DELETE', undefined, 'write'],
      ['PATCH', undefined, 'write'],
      ['PUT', 'admin', 'admin'],
      ['GET', 'open', 'open'],
    ];
    for (const [method, declared, expected] of table) assert.equal(routeAccess(method, declared), expected, `${method} ${declared}`);
  });

  it('asks a token for reads only in token mode, never for open routes', () => {
    assert.equal(neededScope('read', 'open'), undefined);
    assert.equal(neededScope('read', 'token'), 'read');
    assert.equal(neededScope('write', 'open'), 'write');
    assert.equal(neededScope('admin', 'token'), 'admin');
    assert.equal(neededScope('open', 'token'), undefined);
    assert.deepEqual(['open', 'read', 'write', 'admin'].map((a) => rateClass(a as 'open')), [undefined, 'read', 'write', 'write']);
  });

  it('reads a bearer credential from the Authorization header', () => {
    assert.deepEqual(bearerOf(undefined), { kind: 'missing' });
    assert.deepEqual(bearerOf(''), { kind: 'missing' });
    assert.deepEqual(bearerOf('Bearer pw_abc'), { kind: 'token', token: 'pw_abc' });
    assert.deepEqual(bearerOf('bearer  pw_abc '), { kind: 'token', token: 'pw_abc' });
    assert.deepEqual(bearerOf('Basic dXNlcg=='), { kind: 'malformed' });
    assert.deepEqual(bearerOf('Bearer'), { kind: 'malformed' });
    assert.deepEqual(bearerOf('Bearer a b'), { kind: 'malformed' });
    assert.deepEqual(bearerOf(['Bearer a', 'Bearer b']), { kind: 'malformed' });
  });
});
