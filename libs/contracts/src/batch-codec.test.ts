import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createFileRegistry, fromBinary, ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { describe, expect, it, type TestContext } from 'vitest';
import { RequestBatch as FrameworkRequestBatch } from './generated/mono/framework/v1/framework';
import { RequestBatch as GatewayRequestBatch } from './generated/mono/gateway/v1/gateway';
import { ReplyBatch } from './generated/mono/transport/v1/transport';
import {
  decodeReplyBatch,
  decodeRequestBatch,
  encodeReplyBatch,
  encodeRequestBatch,
  type HeadCodec,
} from './batch-codec';
import { environCodec, httpRequestCodec, forwardedEnvironCodec, forwardedHttpRequestCodec } from './head-codecs';
import type { RequestBatch } from './request-batch';
import type { WireHeaders } from './wire-headers';

/**
 * The hand codec against the .proto files and the generated code. The expected fields come from the .proto files
 * themselves (buf's image, built at test time): every field of every message a batch can carry is set, so a field the
 * hand codec is not taught fails here by name, whatever its type, even if nothing else in the tree uses it yet.
 */

// ---- the schema, from the .proto files --------------------------------------------------------------------------

const CONTRACTS = join(__dirname, '..');
const image = execFileSync(
  join(CONTRACTS, '..', '..', 'node_modules', '.bin', 'buf'),
  ['build', '--exclude-source-info', '--as-file-descriptor-set', '-o', '-'],
  { cwd: CONTRACTS },
);
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, image));

function schema(typeName: string): DescMessage {
  const desc = registry.getMessage(typeName);
  if (desc === undefined) throw new Error(`${typeName} is not in proto/`);
  return desc;
}

type Batch = { frames: unknown[] };
interface Reference {
  encode(batch: never): { finish(): Uint8Array };
  decode(bytes: Uint8Array): unknown;
}

/** Each batch message that crosses a hop, with the hand codec and the generated one. */
const BATCHES: ReadonlyArray<{
  name: string;
  desc: DescMessage;
  encode(batch: Batch): Buffer;
  decode(bytes: Buffer): unknown;
  reference: Reference;
}> = [
  {
    name: 'mono.gateway.v1.RequestBatch',
    desc: schema('mono.gateway.v1.RequestBatch'),
    encode: (batch) => encodeRequestBatch(batch as never, httpRequestCodec),
    decode: (bytes) => decodeRequestBatch(bytes, httpRequestCodec),
    reference: GatewayRequestBatch,
  },
  {
    name: 'mono.framework.v1.RequestBatch',
    desc: schema('mono.framework.v1.RequestBatch'),
    encode: (batch) => encodeRequestBatch(batch as never, environCodec),
    decode: (bytes) => decodeRequestBatch(bytes, environCodec),
    reference: FrameworkRequestBatch,
  },
  {
    name: 'mono.gateway.v1.RequestBatch, its header fields as received (the gateway reads it so)',
    desc: schema('mono.gateway.v1.RequestBatch'),
    encode: (batch) =>
      forwardedRoundTrip(encodeRequestBatch(batch as never, httpRequestCodec), forwardedHttpRequestCodec),
    decode: (bytes) => listed(decodeRequestBatch(bytes, forwardedHttpRequestCodec)),
    reference: GatewayRequestBatch,
  },
  {
    name: 'mono.framework.v1.RequestBatch, its header fields as received (the gateway writes it so)',
    desc: schema('mono.framework.v1.RequestBatch'),
    encode: (batch) => forwardedRoundTrip(encodeRequestBatch(batch as never, environCodec), forwardedEnvironCodec),
    decode: (bytes) => listed(decodeRequestBatch(bytes, forwardedEnvironCodec)),
    reference: FrameworkRequestBatch,
  },
  {
    name: 'mono.transport.v1.ReplyBatch',
    desc: schema('mono.transport.v1.ReplyBatch'),
    encode: (batch) => encodeReplyBatch(batch as never),
    decode: (bytes) => decodeReplyBatch(bytes),
    reference: ReplyBatch,
  },
];

/** What a forwarded codec writes of a batch it read: the bytes it forwards. */
function forwardedRoundTrip<H>(bytes: Buffer, codec: HeadCodec<H>): Buffer {
  return encodeRequestBatch(decodeRequestBatch(bytes, codec), codec);
}

/** A batch read by a forwarded codec, its header fields decoded to compare with the generated code's. */
function listed(batch: RequestBatch<{ headers: WireHeaders }>): unknown {
  return {
    frames: batch.frames.map((frame) =>
      frame.head === undefined ? frame : { ...frame, head: { ...frame.head, headers: [...frame.head.headers.list()] } },
    ),
  };
}

// ---- values for every field, from the schema ----------------------------------------------------------------------

/**
 * A seeded generator (mulberry32), so that a failing random batch can be replayed: the seed is printed on failure
 * and BATCH_CODEC_SEED sets it.
 */
const SEED = Number(process.env['BATCH_CODEC_SEED'] ?? 20_261_124);
if (!Number.isSafeInteger(SEED) || SEED < 0)
  throw new Error(`BATCH_CODEC_SEED must be a whole number, not '${process.env['BATCH_CODEC_SEED']}'`);

class Values {
  #state: number;
  /** Every field set to a value other than its default: every message present, every list and map two long. */
  readonly full: boolean;

  constructor(seed: number, full: boolean) {
    this.#state = seed;
    this.full = full;
  }

  int(below: number): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % below) >>> 0;
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)] as T;
  }

  text(): string {
    const value = this.int(4) === 0 ? this.bytes(this.int(20) + 1).toString('base64') : this.pick(TEXT);
    return this.full && value === '' ? 'set' : value;
  }

  uint(): number {
    const value = this.pick([0, 1, 127, 128, 16_383, 16_384, 2 ** 21, 2 ** 28, 2 ** 32 - 1, this.int(1_000_000)]);
    return this.full && value === 0 ? 42 : value;
  }

  /** A uint64 as the generated code reads it (forceLong=number): up to Number.MAX_SAFE_INTEGER. */
  uint64(): number {
    const value = this.pick([0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 35 + 3, 2 ** 49 - 1, 2 ** 53 - 1, this.int(1_000_000)]);
    return this.full && value === 0 ? 2 ** 40 : value;
  }

  bytes(length: number): Buffer {
    return createHash('shake256', { outputLength: length })
      .update(String(this.int(2 ** 31)))
      .digest();
  }

  body(): Buffer {
    if (!this.full && this.int(3) === 0) return Buffer.alloc(0);
    return this.bytes(this.pick([1, 100, 70_000]));
  }

  count(): number {
    return this.full ? 2 : this.int(4);
  }

  message(desc: DescMessage): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const field of desc.fields) out[field.localName] = this.field(field);
    return out;
  }

  field(field: DescField): unknown {
    switch (field.fieldKind) {
      case 'scalar':
        return this.scalar(field, field.scalar);
      case 'message':
        return this.full || this.int(2) === 0 ? this.message(field.message) : undefined;
      case 'list':
        if (field.listKind === 'message')
          return Array.from({ length: this.count() }, () => this.message(field.message));
        if (field.listKind === 'scalar')
          return Array.from({ length: this.count() }, () => this.scalar(field, field.scalar));
        break;
      case 'map':
        if (field.mapKey === ScalarType.STRING && field.mapKind === 'scalar' && field.scalar === ScalarType.STRING)
          return Object.fromEntries(
            Array.from({ length: this.count() }, (_, i) => [`${this.text()}${i}`, this.text()]),
          );
        break;
    }
    return unsupported(field);
  }

  scalar(field: DescField, type: ScalarType): unknown {
    switch (type) {
      case ScalarType.STRING:
        return this.text();
      case ScalarType.UINT32:
        return this.uint();
      case ScalarType.UINT64:
        return this.uint64();
      case ScalarType.BOOL:
        return this.full || this.int(2) === 0;
      case ScalarType.BYTES:
        return this.body();
      default:
        return unsupported(field);
    }
  }
}

const TEXT = ['', 'a', 'GET', '/environ?a=%20b&a=c', 'Hello World!', 'café ✓ 𝄞', 'x'.repeat(300), 'X-Rep'];

function unsupported(field: DescField): never {
  throw new Error(
    `${field.parent.typeName}.${field.name} (${field.number}) has a kind the hand codec has no writer for: ` +
      'teach the codec (and this test) the type, or reconsider the field',
  );
}

// ---- comparing what was sent with what came out, field by field ----------------------------------------------------

/** Byte arrays compare by content whatever their class (Buffer views here, Uint8Array in the generated code). */
function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v) =>
      v instanceof Uint8Array || v?.type === 'Buffer' ? Buffer.from(v.data ?? v).toString('hex') : v,
    ),
  );
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(plain(a ?? null)) === JSON.stringify(plain(b ?? null));
}

/** The fields of `sent` that did not arrive unchanged in `got`, as `Type.field (number) at path`. */
function lostFields(desc: DescMessage, sent: unknown, got: unknown, path = ''): string[] {
  const lost: string[] = [];
  const s = (sent ?? {}) as Record<string, unknown>;
  const g = (got ?? {}) as Record<string, unknown>;
  for (const field of desc.fields) {
    const at = `${path}${field.localName}`;
    const name = `${desc.typeName}.${field.name} (${field.number}) at ${at}`;
    const message = field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message');
    if (!message || field.message === undefined) {
      if (!same(s[field.localName], g[field.localName])) lost.push(name);
    } else if (field.fieldKind === 'list') {
      const items = (s[field.localName] ?? []) as unknown[];
      const received = (g[field.localName] ?? []) as unknown[];
      if (items.length !== received.length) lost.push(name);
      else items.forEach((item, i) => lost.push(...lostFields(field.message, item, received[i], `${at}[${i}].`)));
    } else if ((s[field.localName] === undefined) !== (g[field.localName] === undefined)) lost.push(name);
    else if (s[field.localName] !== undefined)
      lost.push(...lostFields(field.message, s[field.localName], g[field.localName], `${at}.`));
  }
  return lost;
}

/** `undefined` when equal, else where they first differ (a Buffer diff of 70 kB is unreadable). */
function firstDifference(ours: Buffer, theirs: Buffer): string | undefined {
  if (ours.equals(theirs)) return undefined;
  let at = 0;
  while (at < ours.length && at < theirs.length && ours[at] === theirs[at]) at += 1;
  const around = (b: Buffer) => b.subarray(Math.max(0, at - 8), at + 8).toString('hex');
  return `${ours.length} bytes against ${theirs.length}; first difference at ${at}: ${around(ours)} vs ${around(theirs)}`;
}

function replayable({ onTestFailed }: TestContext): void {
  onTestFailed(() => {
    console.error(`batch codec: random batches from seed ${SEED}; replay with BATCH_CODEC_SEED=${SEED}`);
  });
}

// ---- the tests -----------------------------------------------------------------------------------------------------

describe('batch codec', () => {
  describe.each(BATCHES)('$name', ({ desc, encode, decode, reference }) => {
    const full = () => new Values(SEED, true).message(desc);

    it('should find src/generated current with the .proto files', () => {
      const batch = full();
      const generated = reference.decode(reference.encode(batch as never).finish());
      expect(lostFields(desc, batch, generated), 'run `npx nx run contracts:generate`').toEqual([]);
    });

    it('should encode every field the .proto declares as the generated code does', () => {
      const batch = full();
      const ours = encode(batch as Batch);
      expect(lostFields(desc, batch, reference.decode(ours)), 'fields the hand encoder does not write').toEqual([]);
      expect(firstDifference(ours, Buffer.from(reference.encode(batch as never).finish()))).toBeUndefined();
    });

    it('should decode every field the .proto declares as the generated code does', () => {
      const batch = full();
      const decoded = decode(Buffer.from(reference.encode(batch as never).finish()));
      expect(lostFields(desc, batch, decoded), 'fields the hand decoder does not read').toEqual([]);
    });

    it('should agree with the generated code on 150 random batches, both ways', (context) => {
      replayable(context);
      const values = new Values(SEED, false);
      for (let i = 0; i < 150; i += 1) {
        const batch = values.message(desc);
        const generated = Buffer.from(reference.encode(batch as never).finish());
        expect(firstDifference(encode(batch as Batch), generated), `batch ${i}`).toBeUndefined();
        expect(plain(decode(generated)), `batch ${i}`).toEqual(plain(reference.decode(generated)));
      }
    });

    it('should leave a message it returned alone while it encodes the next ones', () => {
      const batch = full();
      const first = encode(batch as Batch);
      const copy = Buffer.from(first);
      const values = new Values(SEED, false);
      for (let i = 0; i < 20; i += 1) encode(values.message(desc) as Batch);
      expect(firstDifference(first, copy)).toBeUndefined();
      expect(firstDifference(encode(batch as Batch), copy)).toBeUndefined();
    });
  });

  it('should hand out body bytes as views into the received message, not copies', () => {
    const data = new Values(SEED, true).bytes(1000);
    const encoded = encodeReplyBatch({
      frames: [{ id: 1, data, end: true, credit: 0, accepted: false }],
      goaway: false,
    });
    const decoded = decodeReplyBatch(encoded).frames[0]?.data as Buffer;
    expect(decoded.buffer).toBe(encoded.buffer);
    expect(Buffer.compare(decoded, data)).toBe(0);
  });

  it('should skip fields it does not know (a newer peer)', () => {
    const unknown = Buffer.from([0xf8, 0x01, 0x2a, 0x82, 0x02, 0x02, 0x68, 0x69]); // field 31 varint 42, field 32 "hi"
    const frame = Buffer.concat([Buffer.from([0x08, 0x05]), unknown]);
    const batch = Buffer.concat([Buffer.from([0x0a, frame.length]), frame]);
    expect(decodeReplyBatch(batch).frames[0]?.id).toBe(5);
  });

  it('should refuse a truncated message', () => {
    expect(() => decodeReplyBatch(Buffer.from([0x0a, 0x10, 0x08]))).toThrow('truncated');
  });
});
