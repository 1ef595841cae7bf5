import type { Call } from './generated/mono/transport/v1/transport';

/**
 * A client frame of either boundary (the `RequestFrame` of gateway.proto and of framework.proto): the two differ only
 * in the type of `head`, so the transport handles one shape.
 */
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
