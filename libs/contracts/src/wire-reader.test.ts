import { describe, expect, it } from 'vitest';
import { WireReader } from './wire-reader';

/** Length-delimited fields holding `values` one after another (lengths below 128: one byte each). */
function fields(...values: Buffer[]): Buffer {
  return Buffer.concat(values.flatMap((value) => [Buffer.from([value.length]), value]));
}

/** Reads every field of `message` as a string. */
function strings(message: Buffer): string[] {
  const r = new WireReader(message);
  const out: string[] = [];
  while (r.at < message.length) out.push(r.string());
  return out;
}

describe('WireReader.string', () => {
  it('should decode as Buffer does, the first time and every time after', () => {
    const values = [
      Buffer.from('GET'),
      Buffer.from(''),
      Buffer.from('HTTP_X_FORWARDED_FOR'),
      Buffer.from('x'.repeat(32)),
      Buffer.from('y'.repeat(33)),
      Buffer.from('café'),
      Buffer.from('日本'),
      Buffer.from('😀 ok'),
      Buffer.from([0xff, 0x41]), // an invalid byte: U+FFFD, as many characters as bytes
      Buffer.from([0x80]), // a lone continuation byte
      Buffer.from([0xe6, 0x97]), // a sequence cut short
    ];
    const message = fields(...values);
    const expected = values.map((value) => value.toString('utf8'));
    expect(strings(message)).toEqual(expected);
    expect(strings(message)).toEqual(expected);
  });

  it('should not take a string decoded before for other bytes of the same length', () => {
    const first = fields(Buffer.from('127.0.0.1'), Buffer.from('GET'));
    const second = fields(Buffer.from('127.0.0.2'), Buffer.from('PUT'), Buffer.from([0x47, 0xc5, 0x54]));
    expect(strings(first)).toEqual(['127.0.0.1', 'GET']);
    expect(strings(second)).toEqual(['127.0.0.2', 'PUT', 'G\ufffdT']);
    expect(strings(first)).toEqual(['127.0.0.1', 'GET']);
  });

  it('should decode each of many strings sharing slots correctly, in any order', () => {
    // Far more distinct strings of one length than there are slots: every slot is taken over and over.
    const values = Array.from({ length: 5000 }, (_, i) => Buffer.from(`k${String(i).padStart(6, '0')}`));
    const message = fields(...values);
    const backwards = fields(...[...values].reverse());
    const expected = values.map(String);
    expect(strings(message)).toEqual(expected);
    expect(strings(backwards)).toEqual([...expected].reverse());
    expect(strings(message)).toEqual(expected);
  });
});
