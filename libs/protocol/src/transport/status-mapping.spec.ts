import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status as Status } from '@grpc/grpc-js';
import { ERROR_CODES, InternalError, NotFoundError, PeerweaveError, type ErrorCode } from '@peerweave/core';
import {
  errorCodeForGrpcStatus,
  errorForGrpcStatus,
  grpcFailureForError,
  grpcStatusForErrorCode,
  INTERNAL_ERROR_MESSAGE,
} from './status-mapping.ts';

describe('status mapping', () => {
  const outbound: [ErrorCode, Status][] = [
    ['INVALID_ARGUMENT', Status.INVALID_ARGUMENT],
    ['INVALID_CONFIG', Status.FAILED_PRECONDITION],
    ['NOT_FOUND', Status.NOT_FOUND],
    ['ALREADY_EXISTS', Status.ALREADY_EXISTS],
    ['PAYLOAD_TOO_LARGE', Status.RESOURCE_EXHAUSTED],
    ['UNAVAILABLE', Status.UNAVAILABLE],
    ['DEADLINE_EXCEEDED', Status.DEADLINE_EXCEEDED],
    ['ABORTED', Status.CANCELLED],
    ['RESOURCE_EXHAUSTED', Status.RESOURCE_EXHAUSTED],
    ['PERMISSION_DENIED', Status.PERMISSION_DENIED],
    ['UNAUTHENTICATED', Status.UNAUTHENTICATED],
    ['FAILED_PRECONDITION', Status.FAILED_PRECONDITION],
    ['NOT_READY', Status.UNAVAILABLE],
    ['SHUTTING_DOWN', Status.UNAVAILABLE],
    ['INTERNAL', Status.INTERNAL],
    ['INVALID_JSON', Status.INVALID_ARGUMENT],
    ['UNSUPPORTED_MEDIA_TYPE', Status.INVALID_ARGUMENT],
    ['METHOD_NOT_ALLOWED', Status.UNIMPLEMENTED],
    ['INVALID_CID', Status.INVALID_ARGUMENT],
    ['CORRUPT_BLOCK', Status.DATA_LOSS],
    ['INSUFFICIENT_REPLICAS', Status.UNAVAILABLE],
    ['RANGE_NOT_SATISFIABLE', Status.OUT_OF_RANGE],
    ['NOT_ACCEPTABLE', Status.INVALID_ARGUMENT],
    ['INVALID_QUERY', Status.INVALID_ARGUMENT],
  ];
  for (const [code, status] of outbound) {
    it(`sends ${code} as ${Status[status]}`, () => assert.equal(grpcStatusForErrorCode(code), status));
  }

  it('covers every error code', () => {
    assert.deepEqual(outbound.map(([c]) => c).sort(), [...ERROR_CODES].sort());
  });

  const inbound: [Status, ErrorCode][] = [
    [Status.CANCELLED, 'ABORTED'],
    [Status.UNKNOWN, 'INTERNAL'],
    [Status.INVALID_ARGUMENT, 'INVALID_ARGUMENT'],
    [Status.DEADLINE_EXCEEDED, 'DEADLINE_EXCEEDED'],
    [Status.NOT_FOUND, 'NOT_FOUND'],
    [Status.ALREADY_EXISTS, 'ALREADY_EXISTS'],
    [Status.PERMISSION_DENIED, 'PERMISSION_DENIED'],
    [Status.RESOURCE_EXHAUSTED, 'RESOURCE_EXHAUSTED'],
    [Status.FAILED_PRECONDITION, 'FAILED_PRECONDITION'],
    [Status.ABORTED, 'ABORTED'],
    [Status.OUT_OF_RANGE, 'INVALID_ARGUMENT'],
    [Status.UNIMPLEMENTED, 'METHOD_NOT_ALLOWED'],
    [Status.INTERNAL, 'INTERNAL'],
    [Status.UNAVAILABLE, 'UNAVAILABLE'],
    [Status.DATA_LOSS, 'CORRUPT_BLOCK'],
    [Status.UNAUTHENTICATED, 'UNAUTHENTICATED'],
    [Status.OK, 'INTERNAL'],
    [99 as Status, 'INTERNAL'],
  ];
  for (const [status, code] of inbound) {
    it(`raises ${Status[status] ?? status} as ${code}`, () => assert.equal(errorCodeForGrpcStatus(status), code));
  }

  it('keeps the message of a PeerweaveError', () => {
    assert.deepEqual(grpcFailureForError(new NotFoundError('no such block')), {
      code: Status.NOT_FOUND,
      details: 'no such block',
      masked: false,
    });
  });

  it('masks anything else as UNKNOWN "internal error"', () => {
    assert.deepEqual(grpcFailureForError(new Error('ENOENT /secret/path')), {
      code: Status.UNKNOWN,
      details: INTERNAL_ERROR_MESSAGE,
      masked: true,
    });
    assert.deepEqual(grpcFailureForError('a string'), {
      code: Status.UNKNOWN,
      details: INTERNAL_ERROR_MESSAGE,
      masked: true,
    });
  });

  it('masks INTERNAL PeerweaveErrors too', () => {
    assert.deepEqual(grpcFailureForError(new InternalError('db corrupt at /data/x')), {
      code: Status.INTERNAL,
      details: INTERNAL_ERROR_MESSAGE,
      masked: true,
    });
  });

  it('makes a PeerweaveError of a failed call', () => {
    const cause = new Error('raw');
    const err = errorForGrpcStatus({ code: Status.UNAVAILABLE, details: 'No connection established' }, cause);
    assert.ok(err instanceof PeerweaveError);
    assert.equal(err.code, 'UNAVAILABLE');
    assert.equal(err.message, 'No connection established');
    assert.deepEqual(err.details, { grpcStatus: 'UNAVAILABLE' });
    assert.equal(err.cause, cause);
    assert.equal(errorForGrpcStatus({ code: Status.CANCELLED, details: '' }).message, 'CANCELLED');
  });
});
