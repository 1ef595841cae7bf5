// What the bench's bare chains (echo-chain.cjs, mux-chain.cjs) share: where a role listens, and a grpc-js service of
// one bidirectional method that carries Buffers as they are.
'use strict';

/** @param {Buffer} b */
const same = (b) => b;

/**
 * The Unix socket a role of the chain listens on: SOCKET_PREFIX (given by the bench) and the role.
 * @param {string} role
 */
exports.socketOf = (role) => `${process.env.SOCKET_PREFIX ?? '/tmp/mono-bench-bare'}-${role}.sock`;

/**
 * @param {string} method
 * @param {string} path
 */
exports.bytesService = (method, path) => ({
  [method]: {
    path,
    requestStream: true,
    responseStream: true,
    requestSerialize: same,
    requestDeserialize: same,
    responseSerialize: same,
    responseDeserialize: same,
  },
});
