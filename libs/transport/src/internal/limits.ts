/** Body bytes a sender may have unacknowledged per request and direction (docs/adr/0001-transport.md). */
export const INITIAL_WINDOW = 1 << 20; // 1 MiB

/**
 * A request whose body is larger, or of unknown length, travels on a stream of its own: HTTP/2 keeps one stream's
 * frames in order, so on the shared stream the other requests' frames would queue behind its body
 * (docs/adr/0026-a-stream-for-large-bodies.md).
 */
export const BULK_BODY_BYTES = 64 << 10; // 64 KiB

/** Larger body chunks are split so that one request cannot hold a batch for long. */
export const MAX_DATA_FRAME = 256 << 10; // 256 KiB

/** A batch is written early once its body bytes pass this. */
export const MAX_BATCH_BYTES = 1 << 20; // 1 MiB

/** gRPC's message limit on both sides; a batch stays far below it (MAX_BATCH_BYTES + one frame + heads). */
export const MAX_MESSAGE_BYTES = 16 << 20; // 16 MiB

export const EMPTY = new Uint8Array(0);
