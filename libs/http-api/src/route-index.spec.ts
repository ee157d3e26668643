import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteIndex } from './route-index.ts';

test('allowed methods per path', () => {
  const index = new RouteIndex();
  index.add('GET', '/v1/status');
  index.add('HEAD', '/v1/status');
  index.add(['GET', 'PUT'], '/v1/log-level');
  index.add('get', '/v1/blocks/:cid');
  index.add('DELETE', '/v1/blocks/:cid');
  index.add('GET', '/v1/files/*');
  index.add('GET', '/v1/items/:id(^\\d+)/meta');
  index.add('GET', '/a::b');

  const cases: [string, string[]][] = [
    ['/v1/status', ['GET', 'HEAD']],
    ['/v1/log-level', ['GET', 'PUT']],
    ['/v1/blocks/bafy123', ['DELETE', 'GET']],
    ['/v1/blocks/bafy123/extra', []],
    ['/v1/blocks/', []],
    ['/v1/files/a/b/c', ['GET']],
    ['/v1/items/42/meta', ['GET']],
    ['/a:b', ['GET']],
    ['/v1/statusx', []],
    ['/nope', []],
  ];
  for (const [path, expected] of cases) assert.deepEqual(index.allowedMethods(path), expected, path);
});
