import { describe, expect, it } from 'vitest';
import { AppError, fromFailure, isAppError, toAppError, toFailure } from './app-error';
import { GrpcStatus } from './grpc-status';
import { toProblem } from './problem';

describe('AppError', () => {
  it('should carry the catalogue statuses of its code', () => {
    const err = new AppError('GW_ERR_OVERLOADED', 'queue full');
    expect(err.grpcStatus).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(err.httpStatus).toBe(503);
    expect(err.message).toBe('queue full');
    expect(isAppError(err)).toBe(true);
  });

  it('should turn unknown throwables into the fallback with a generic message', () => {
    const err = toAppError(new Error('secret stack detail'), 'FW_ERR_INTERNAL');
    expect(err.code).toBe('FW_ERR_INTERNAL');
    expect(err.message).toBe('Internal Server Error');
    expect((err.cause as Error).message).toBe('secret stack detail');
  });

  it('should cross a hop as a Failure and come back as the same code', () => {
    const failure = toFailure(new AppError('GW_ERR_DEADLINE_EXCEEDED', 'too slow'));
    expect(failure).toEqual({
      status: GrpcStatus.DEADLINE_EXCEEDED,
      code: 'GW_ERR_DEADLINE_EXCEEDED',
      message: 'too slow',
      notAccepted: false,
    });
    expect(fromFailure(failure, 'EDGE_ERR_UPSTREAM_PROTOCOL').httpStatus).toBe(504);
  });

  it('should carry "not accepted" across a hop, and drop it once passed on', () => {
    const refused = new AppError('GW_ERR_OVERLOADED', 'queue full', { notAccepted: true });
    const back = fromFailure(toFailure(refused), 'EDGE_ERR_UPSTREAM_PROTOCOL');
    expect(back.notAccepted).toBe(true);
    expect(back.passedOn()).toMatchObject({ code: 'GW_ERR_OVERLOADED', message: 'queue full', notAccepted: false });
    expect(toFailure(new AppError('GW_ERR_INTERNAL')).notAccepted).toBe(false);
  });

  it('should map a code it does not know to the fallback', () => {
    const err = fromFailure(
      { status: GrpcStatus.INTERNAL, code: 'NEWER_ERR_THING', message: 'm' },
      'EDGE_ERR_UPSTREAM_PROTOCOL',
    );
    expect(err.code).toBe('EDGE_ERR_UPSTREAM_PROTOCOL');
    expect(err.message).toBe('m');
  });
});

describe('toProblem', () => {
  it('should render status, title, code and the ids', () => {
    const problem = toProblem(new AppError('EDGE_ERR_BODY_TOO_LARGE', 'too big'), { requestId: 'r1', traceId: 't1' });
    expect(problem).toEqual({
      type: 'about:blank',
      status: 413,
      title: 'Content Too Large',
      detail: 'too big',
      code: 'EDGE_ERR_BODY_TOO_LARGE',
      requestId: 'r1',
      traceId: 't1',
    });
  });
});
