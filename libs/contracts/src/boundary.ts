import type { ServiceDefinition } from '@grpc/grpc-js';
import { encodeReplyBatch, encodeRequestBatch } from './batch-codec';
import { ReplyBatch, type Call } from './generated/mono/transport/v1/transport';

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
 * head its requests carry. Batches are encoded by hand (batch-codec.ts) so that body bytes are copied once.
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
  requestCodec: Pick<Codec<RequestBatch<H>>, 'decode'>,
  headCodec: Pick<Codec<H>, 'encode'>,
): Boundary<H> {
  const path = `/${rpcService}/Exchange`;
  const encodeHead = (head: H) => headCodec.encode(head).finish();
  const serializeRequest = (batch: RequestBatch<H>) => encodeRequestBatch(batch, encodeHead);
  const deserializeRequest = (bytes: Buffer) => requestCodec.decode(bytes);
  const serializeReply = encodeReplyBatch;
  const deserializeReply = (bytes: Buffer) => ReplyBatch.decode(bytes);
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
