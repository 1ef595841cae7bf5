/** The content codings the edge produces (Node's zlib has all three) and the file extension of a precompressed one. */
export const CODINGS = ['zstd', 'br', 'gzip'] as const;
export type Coding = (typeof CODINGS)[number];
export const EXTENSION: Readonly<Record<Coding, string>> = { zstd: '.zst', br: '.br', gzip: '.gz' };

const Q = /^\s*q\s*=\s*(.*?)\s*$/i;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The codings of `offered` (the server's order of preference) that an Accept-Encoding value accepts, best first
 * (RFC 9110 §12.5.3): by the client's weight, then the server's order; `*` stands for every coding not named;
 * `q=0` refuses one. `x-gzip` is gzip.
 *
 * @example
 * accepted('gzip, br;q=0.9', ['zstd', 'br', 'gzip']); // ['gzip', 'br']
 */
export function accepted(header: string, offered: readonly Coding[]): Coding[] {
  const weights = new Map<string, number>();
  for (const item of header.split(',')) {
    const semicolon = item.indexOf(';');
    const name = (semicolon === -1 ? item : item.slice(0, semicolon)).trim().toLowerCase();
    if (name === '') continue;
    let q = 1;
    if (semicolon !== -1) {
      for (const parameter of item.slice(semicolon + 1).split(';')) {
        const match = Q.exec(parameter);
        if (match) q = QVALUE.test(match[1] as string) ? Number(match[1]) : 0;
      }
    }
    weights.set(name === 'x-gzip' ? 'gzip' : name, q);
  }
  const any = weights.get('*');
  const result: Array<[Coding, number]> = [];
  for (const coding of offered) {
    const q = weights.get(coding) ?? any ?? 0;
    if (q > 0) result.push([coding, q]);
  }
  // A stable sort keeps the server's order among equal weights.
  return result.sort((a, b) => b[1] - a[1]).map(([coding]) => coding);
}
