/**
 * Puts V8 in the state Node leaves it in anyway after a few seconds, before any code is optimised: the
 * TypedArrayLengthLookupChain protector invalidated. Node's C++ makes each Buffer of its own (the payload of a gRPC
 * keepalive ping's ack, every 10 s on each channel) as a Uint8Array whose prototype it then sets to Buffer's, and the
 * first such change tells V8 that a typed array's `length` may no longer be its own: all code that relied on it is
 * thrown away. Unsettled, that happened ~10 s after start in each edge process and the gateway, under whatever load
 * they had then: 40–60 optimised functions of the request path (grpc-js, streams, the codec) deoptimised at once
 * (docs/adr/0035-a-first-keepalive-ping-and-the-open-loop.md). Called first in each process.
 */
export function settleProtectors(): void {
  Object.setPrototypeOf(new Uint8Array(0), Buffer.prototype);
}
