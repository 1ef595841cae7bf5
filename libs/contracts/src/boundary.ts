import type { ServiceDefinition } from '@grpc/grpc-js';
import {
  decodeReplyBatch,
  decodeRequestBatch,
  encodeReplyBatch,
  encodeRequestBatch,
  type HeadCodec,
} from './batch-codec';
import type { ReplyBatch } from './generated/mono/transport/v1/transport';
import type { RequestBatch } from './request-batch';

/**
 * One service boundary (edge → gateway, gateway → framework): the `Exchange` method both sides speak, typed by the
 * head its requests carry, with the hand-written codecs of batch-codec.ts (checked against the generated ones).
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

export function defineBoundary<H>(server: Boundary<H>['server'], rpcService: string, head: HeadCodec<H>): Boundary<H> {
  const path = `/${rpcService}/Exchange`;
  const serializeRequest = (batch: RequestBatch<H>) => encodeRequestBatch(batch, head);
  const deserializeRequest = (bytes: Buffer) => decodeRequestBatch(bytes, head);
  const definition: ServiceDefinition = {
    Exchange: {
      path,
      requestStream: true,
      responseStream: true,
      requestSerialize: serializeRequest,
      requestDeserialize: deserializeRequest,
      responseSerialize: encodeReplyBatch,
      responseDeserialize: decodeReplyBatch,
      originalName: 'exchange',
    },
  };
  return {
    server,
    path,
    rpcService,
    definition,
    serializeRequest,
    deserializeRequest,
    serializeReply: encodeReplyBatch,
    deserializeReply: decodeReplyBatch,
  };
}
