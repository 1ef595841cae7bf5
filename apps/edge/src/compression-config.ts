import { size } from '@mono/config';
import * as v from 'valibot';
import { CODINGS } from './accept-encoding';

/** Media types worth compressing on the fly; images, video, fonts in woff/woff2 and archives are compressed already. */
export const COMPRESSIBLE_TYPES = [
  'text/*',
  'application/json',
  'application/*+json',
  'application/javascript',
  'application/xml',
  'application/*+xml',
  'application/wasm',
  'image/svg+xml',
  'font/ttf',
  'font/otf',
];

/**
 * The `compression` section (nginx's gzip directives, with br and zstd): which codings the edge produces, in its order
 * of preference among those a client weighs equally; below which known length a body stays as it is; which media
 * types; and each coding's level (cheap levels: compression runs per request, on the edge's one thread).
 */
export const compressionSection = v.optional(
  v.strictObject({
    encodings: v.optional(v.array(v.picklist(CODINGS, 'a coding is zstd, br or gzip')), [...CODINGS]),
    minLength: size(1_024),
    types: v.optional(
      v.array(v.pipe(v.string(), v.regex(/^[a-z0-9*][a-z0-9!#$&^_.+*-]*\/[a-z0-9*][a-z0-9!#$&^_.+*-]*$/i))),
      COMPRESSIBLE_TYPES,
    ),
    /** Responses encoded at once; beyond, they go out as they are (each coder holds 0.2-1 MiB). */
    maxStreams: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 64),
    level: v.optional(
      v.strictObject({
        zstd: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(19)), 3),
        br: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(11)), 4),
        gzip: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(9)), 5),
      }),
      {},
    ),
  }),
  {},
);

export type CompressionConfig = v.InferOutput<typeof compressionSection>;
