/**
 * How much the outage buffer keeps by default (docs/adr/0052-the-outage-buffer-bounded-by-bytes.md): 16 MiB of spans
 * as encoded, ~55 000 of the services' ~300-byte spans; the count binds only where spans are estimated.
 */
export const TRACE_BUFFER_DEFAULTS = { maxSpans: 65_536, maxBytes: 16 * 1024 * 1024 } as const;
