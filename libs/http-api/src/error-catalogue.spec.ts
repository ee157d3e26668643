import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODES, PeerweaveError, type ErrorCode } from '@peerweave/core';
import { HTTP_STATUS_BY_CODE, codeOfHttpStatus, httpStatusOf } from './error-catalogue.ts';
import { describeValidation, toErrorReply, type ErrorContext } from './error-reply.ts';

const ctx: ErrorContext = { method: 'PUT', path: '/v1/log-level', contentType: 'text/plain', bodyLimit: 1024 };

test('every core code has a status', () => {
  const expected: [ErrorCode, number][] = [
    ['INVALID_ARGUMENT', 400],
    ['INVALID_CONFIG', 500],
    ['NOT_FOUND', 404],
    ['ALREADY_EXISTS', 409],
    ['PAYLOAD_TOO_LARGE', 413],
    ['UNAVAILABLE', 503],
    ['DEADLINE_EXCEEDED', 504],
    ['ABORTED', 499],
    ['RESOURCE_EXHAUSTED', 429],
    ['PERMISSION_DENIED', 403],
    ['UNAUTHENTICATED', 401],
    ['FAILED_PRECONDITION', 400],
    ['NOT_READY', 503],
    ['SHUTTING_DOWN', 503],
    ['INTERNAL', 500],
    ['INVALID_JSON', 400],
    ['UNSUPPORTED_MEDIA_TYPE', 415],
    ['METHOD_NOT_ALLOWED', 405],
    ['INVALID_CID', 400],
    ['CORRUPT_BLOCK', 400],
    ['INSUFFICIENT_REPLICAS', 503],
    ['RANGE_NOT_SATISFIABLE', 416],
    ['NOT_ACCEPTABLE', 406],
    ['INVALID_QUERY', 400],
  ];
  assert.deepEqual(new Set(expected.map(([c]) => c)), new Set(ERROR_CODES));
  for (const [code, status] of expected) assert.equal(httpStatusOf(code), status, code);
  assert.equal(Object.keys(HTTP_STATUS_BY_CODE).length, ERROR_CODES.length);
});

test('status-only errors get a code', () => {
  const table: [number, ErrorCode][] = [
    [400, 'INVALID_ARGUMENT'],
    [401, 'UNAUTHENTICATED'],
    [403, 'PERMISSION_DENIED'],
    [404, 'NOT_FOUND'],
    [405, 'METHOD_NOT_ALLOWED'],
    [408, 'DEADLINE_EXCEEDED'],
    [409, 'ALREADY_EXISTS'],
    [413, 'PAYLOAD_TOO_LARGE'],
    [414, 'INVALID_ARGUMENT'],
    [415, 'UNSUPPORTED_MEDIA_TYPE'],
    [429, 'RESOURCE_EXHAUSTED'],
    [500, 'INTERNAL'],
    [502, 'INTERNAL'],
    [503, 'UNAVAILABLE'],
    [504, 'DEADLINE_EXCEEDED'],
  ];
  for (const [status, code] of table) assert.equal(codeOfHttpStatus(status), code, String(status));
});

function fastifyError(code: string, statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { code, statusCode });
}

test('thrown values become status, code and a client-safe message', () => {
  const table: [string, unknown, number, ErrorCode, string | RegExp, boolean][] = [
    ['PeerweaveError', new PeerweaveError('NOT_FOUND', 'no block bafy'), 404, 'NOT_FOUND', 'no block bafy', false],
    ['PeerweaveError 503', new PeerweaveError('NOT_READY', 'warming up'), 503, 'NOT_READY', 'warming up', false],
    ['PeerweaveError INTERNAL is masked', new PeerweaveError('INTERNAL', 'db path /x'), 500, 'INTERNAL', 'internal error', true],
    ['PeerweaveError INVALID_CONFIG is masked', new PeerweaveError('INVALID_CONFIG', 'X=1'), 500, 'INTERNAL', 'internal error', true],
    ['plain Error', new Error('password=hunter2'), 500, 'INTERNAL', 'internal error', true],
    ['TypeError', new TypeError('x is undefined'), 500, 'INTERNAL', 'internal error', true],
    ['a string', 'oops', 500, 'INTERNAL', 'internal error', true],
    ['undefined', undefined, 500, 'INTERNAL', 'internal error', true],
    ['5xx with statusCode', fastifyError('X', 502, 'upstream at 10.0.0.1'), 500, 'INTERNAL', 'internal error', true],
    ['503 with statusCode', fastifyError('X', 503, 'pool 10.0.0.1 down'), 503, 'UNAVAILABLE', 'service unavailable', true],
    ['invalid JSON', fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400, 'x'), 400, 'INVALID_JSON', /not valid JSON/, false],
    ['empty JSON', fastifyError('FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'x'), 400, 'INVALID_JSON', /empty/, false],
    ['too large', fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, 'x'), 413, 'PAYLOAD_TOO_LARGE', /1024 bytes/, false],
    ['media type', fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'x'), 415, 'UNSUPPORTED_MEDIA_TYPE', /"text\/plain".*PUT \/v1\/log-level/, false],
    ['not found', fastifyError('FST_ERR_NOT_FOUND', 404, 'Not Found'), 404, 'NOT_FOUND', 'no route for PUT /v1/log-level', false],
    ['bad url', fastifyError('FST_ERR_BAD_URL', 400, "'/%' is not a valid url component"), 400, 'INVALID_ARGUMENT', /not a valid url/, false],
    ['param too long', fastifyError('FST_ERR_MAX_PARAM_LENGTH', 414, 'x'), 414, 'INVALID_ARGUMENT', 'x', false],
    ['handler timeout', fastifyError('FST_ERR_HANDLER_TIMEOUT', 503, 'timed out'), 503, 'UNAVAILABLE', 'timed out', false],
    ['plugin 4xx', fastifyError('E_TOO_MANY', 429, 'slow down'), 429, 'RESOURCE_EXHAUSTED', 'slow down', false],
  ];
  for (const [name, err, status, code, message, masked] of table) {
    const out = toErrorReply(err, ctx);
    assert.equal(out.status, status, name);
    assert.equal(out.body.code, code, name);
    if (typeof message === 'string') assert.equal(out.body.message, message, name);
    else assert.match(out.body.message, message, name);
    assert.equal(out.masked, masked, name);
  }
});

test('a PeerweaveError keeps its client-safe details', () => {
  const out = toErrorReply(new PeerweaveError('NOT_FOUND', 'gone', { details: { cid: 'bafy' } }), ctx);
  assert.deepEqual(out.body, { code: 'NOT_FOUND', message: 'gone', details: { cid: 'bafy' } });
});

test('validation messages name the field', () => {
  const table: [string, Parameters<typeof describeValidation>[1], string][] = [
    ['required', [{ keyword: 'required', instancePath: '', params: { missingProperty: 'level' } }], 'body.level is required'],
    [
      'extra property',
      [{ keyword: 'additionalProperties', instancePath: '/peer', params: { additionalProperty: 'x' } }],
      'body.peer.x is not allowed',
    ],
    ['enum', [{ keyword: 'enum', instancePath: '/level', params: { allowedValues: ['a', 'b'] } }], 'body.level must be one of a, b'],
    [
      'union of literals',
      [
        { keyword: 'const', instancePath: '/role', params: { allowedValue: 'peer' } },
        { keyword: 'const', instancePath: '/role', params: { allowedValue: 'supernode' } },
        { keyword: 'anyOf', instancePath: '/role', params: {}, message: 'must match a schema in anyOf' },
      ],
      'body.role must be one of peer, supernode',
    ],
    ['type, nested', [{ keyword: 'type', instancePath: '/items/0/a~1b', params: { type: 'string' }, message: 'must be string' }], 'body.items.0.a/b must be string'],
  ];
  for (const [name, issues, expected] of table) assert.equal(describeValidation('body', issues), expected, name);
  assert.equal(
    toErrorReply(Object.assign(fastifyError('FST_ERR_VALIDATION', 400, 'x'), { validation: table[0]![1], validationContext: 'querystring' }), ctx)
      .body.message,
    'querystring.level is required',
  );
});
