/** The protobuf wire types the hand codec writes (https://protobuf.dev/programming-guides/encoding/). */
export const VARINT = 0;
export const LEN = 2;

/**
 * A field's tag as it goes on the wire, as one varint: its number and its wire type. Field numbers above 15 take two
 * bytes or more (up to five for 2^29 − 1); the writer and the reader treat the tag as a varint for that reason.
 *
 * @example
 * const TAG_FRAME_ID = tag(1, VARINT); // 0x08
 */
export function tag(field: number, wireType: typeof VARINT | typeof LEN): number {
  return field * 8 + wireType;
}
