import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import { silentLogger } from '@peerweave/core';
import { createClientErrorHandler } from './client-error-handler.ts';

function fakeSocket(state: { destroyed?: boolean; writable?: boolean } = {}) {
  const written: string[] = [];
  let destroyed = state.destroyed ?? false;
  const socket = {
    get destroyed() {
      return destroyed;
    },
    writable: state.writable ?? true,
    write(s: string) {
      written.push(s);
      return true;
    },
    destroy() {
      destroyed = true;
    },
  };
  return { socket: socket as unknown as Duplex, written, isDestroyed: () => destroyed };
}

function errnoError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

test('parser errors are answered in the error shape, then the socket is closed', () => {
  const handle = createClientErrorHandler(silentLogger);
  const table: [string, number, string][] = [
    ['HPE_INVALID_METHOD', 400, 'INVALID_ARGUMENT'],
    ['HPE_HEADER_OVERFLOW', 431, 'INVALID_ARGUMENT'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'DEADLINE_EXCEEDED'],
  ];
  for (const [code, status, errorCode] of table) {
    const s = fakeSocket();
    handle(errnoError(code), s.socket);
    assert.equal(s.written.length, 1);
    const [head, body] = s.written[0]!.split('\r\n\r\n') as [string, string];
    assert.match(head, new RegExp(`^HTTP/1.1 ${status} `));
    assert.match(head, /Content-Type: application\/json/);
    assert.equal(JSON.parse(body).code, errorCode);
    assert.ok(s.isDestroyed());
  }
});

test('a reset or destroyed socket is left alone', () => {
  const handle = createClientErrorHandler(silentLogger);
  const reset = fakeSocket();
  handle(errnoError('ECONNRESET'), reset.socket);
  assert.equal(reset.written.length, 0);
  const gone = fakeSocket({ destroyed: true });
  handle(errnoError('HPE_INVALID_METHOD'), gone.socket);
  assert.equal(gone.written.length, 0);
});
