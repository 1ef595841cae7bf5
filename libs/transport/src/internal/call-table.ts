const MIN_BITS = 6;

/**
 * The calls in flight on one connection, by request id: an open-addressing hash table (linear probing,
 * backward-shift deletion) over arrays it owns, in place of a `Map`.
 *
 * A `Map` whose keys churn (every request adds one id and deletes it) keeps rehashing into a new backing table,
 * and V8 leaves the entries of the table it dropped in place. Once that dropped table sits in the old generation,
 * the scavenger treats its slots as roots: every call it still names survives and is promoted, and so is everything
 * those calls reach. Under load 23–36 % of each service's young generation survived scavenges of 8–14 ms; with this
 * table almost nothing does and a scavenge takes ~0.2 ms (docs/adr/0003-memory.md). Here a resize clears the old
 * slots, and a deleted slot is emptied at once.
 *
 * @example
 * const calls = new CallTable<ClientCall>();
 * calls.set(7, call);
 * calls.get(7)?.receive(frame);
 * calls.delete(7);
 */
export class CallTable<V> {
  #bits = MIN_BITS;
  #keys = new Uint32Array(1 << MIN_BITS);
  #values: (V | undefined)[] = new Array<V | undefined>(1 << MIN_BITS).fill(undefined);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(id: number): V | undefined {
    const mask = this.#keys.length - 1;
    for (let i = this.#home(id); ; i = (i + 1) & mask) {
      const value = this.#values[i];
      if (value === undefined) return undefined;
      if (this.#keys[i] === id) return value;
    }
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  set(id: number, value: V): void {
    if (value === undefined) throw new TypeError('CallTable values cannot be undefined');
    const mask = this.#keys.length - 1;
    let i = this.#home(id);
    while (this.#values[i] !== undefined && this.#keys[i] !== id) i = (i + 1) & mask;
    if (this.#values[i] === undefined) this.#size += 1;
    this.#keys[i] = id;
    this.#values[i] = value;
    if (this.#size * 2 > this.#keys.length) this.#resize(this.#bits + 1);
  }

  delete(id: number): boolean {
    const mask = this.#keys.length - 1;
    let hole = this.#home(id);
    for (; this.#keys[hole] !== id || this.#values[hole] === undefined; hole = (hole + 1) & mask) {
      if (this.#values[hole] === undefined) return false;
    }
    // Backward shift: move later members of the probe run into the hole so that no lookup stops early.
    for (let i = (hole + 1) & mask; this.#values[i] !== undefined; i = (i + 1) & mask) {
      const home = this.#home(this.#keys[i] as number);
      const between = hole <= i ? hole < home && home <= i : hole < home || home <= i;
      if (between) continue;
      this.#keys[hole] = this.#keys[i] as number;
      this.#values[hole] = this.#values[i];
      hole = i;
    }
    this.#values[hole] = undefined;
    this.#size -= 1;
    if (this.#bits > MIN_BITS && this.#size * 8 < this.#keys.length) this.#resize(this.#bits - 1);
    return true;
  }

  /** The values, in no particular order (a copy: the table may change while the caller walks it). */
  values(): V[] {
    return this.#values.filter((value): value is V => value !== undefined);
  }

  clear(): void {
    this.#values.fill(undefined);
    this.#size = 0;
  }

  #home(id: number): number {
    return Math.imul(id, 0x9e3779b1) >>> (32 - this.#bits);
  }

  #resize(bits: number): void {
    const keys = this.#keys;
    const values = this.#values;
    this.#bits = bits;
    this.#keys = new Uint32Array(1 << bits);
    this.#values = new Array<V | undefined>(1 << bits).fill(undefined);
    this.#size = 0;
    for (let i = 0; i < keys.length; i++) {
      const value = values[i];
      if (value !== undefined) this.set(keys[i] as number, value);
    }
    values.fill(undefined);
  }
}
