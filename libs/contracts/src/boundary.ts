import type { ServiceDefinition } from '@grpc/grpc-js';
import type { Call, ReplyBatch } from './generated/mono/transport/v1/transport';

/** A client frame of any boundary: the boundaries differ only in the type of `head`. */
export interface RequestFrame<H> {
  id: number;
  call?: Call | undefined;
  head?: H | undefined;
  data: Uint8Array;
  end: boolean;
  cancel: boolean;
  credit: number;
}

export interface RequestBatch<H> {
  frames: RequestFrame<H>[];
}

/**
 * One service boundary (edge → gateway, gateway → framework): the `Exchange` method both sides speak, typed by the
 * head its requests carry. The serializers hand grpc-js the encoder's bytes without copying them again.
 */
export interface Boundary<H> {
  /** The service that serves this boundary, as named in traces and errors. */
  readonly server: 'gateway' | 'framework';
  /** The fully qualified method, e.g. `/mono.gateway.v1.GatewayService/Exchange`. */
  readonly path: string;
  readonly rpcService: string;
  readonly definition: ServiceDefinition;
  serializeRequest(batch: RequestBatch<H>): Buffer;
  deserializeRequest(bytes: Buffer): RequestBatch<H>;
  serializeReply(batch: ReplyBatch): Buffer;
  deserializeReply(bytes: Buffer): ReplyBatch;
}

interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

export function defineBoundary<H>(
  server: Boundary<H>['server'],
  rpcService: string,
  requestCodec: Codec<RequestBatch<H>>,
  replyCodec: Codec<ReplyBatch>,
): Boundary<H> {
  const path = `/${rpcService}/Exchange`;
  const serializeRequest = (batch: RequestBatch<H>) => asBuffer(requestCodec.encode(batch).finish());
  const deserializeRequest = (bytes: Buffer) => requestCodec.decode(bytes);
  const serializeReply = (batch: ReplyBatch) => asBuffer(replyCodec.encode(batch).finish());
  const deserializeReply = (bytes: Buffer) => replyCodec.decode(bytes);
  const definition: ServiceDefinition = {
    Exchange: {
      path,
      requestStream: true,
      responseStream: true,
      requestSerialize: serializeRequest,
      requestDeserialize: deserializeRequest,
      responseSerialize: serializeReply,
      responseDeserialize: deserializeReply,
      originalName: 'exchange',
    },
  };
  return { server, path, rpcService, definition, serializeRequest, deserializeRequest, serializeReply, deserializeReply };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
