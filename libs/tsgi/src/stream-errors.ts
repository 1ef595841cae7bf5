/** The errors Node's HTTP objects give a callback, with Node's codes and messages. */

export function writeAfterEnd(): Error {
  return Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' });
}

export function streamDestroyed(method: 'write' | 'end'): Error {
  return Object.assign(new Error(`Cannot call ${method} after a stream was destroyed`), {
    code: 'ERR_STREAM_DESTROYED',
  });
}

export function connectionReset(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

export function alreadyFinished(): Error {
  return Object.assign(new Error('Cannot call end after a stream was finished'), {
    code: 'ERR_STREAM_ALREADY_FINISHED',
  });
}
