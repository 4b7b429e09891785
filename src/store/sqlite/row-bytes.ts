/**
 * Encoded log rows waiting for the SQLite writer thread, kept as UTF-8 bytes
 * in one buffer outside the JavaScript heap. Each row is known by a sequence
 * number (a small integer: nothing to allocate in the queue that holds it).
 * Bytes, not strings, so the garbage collector never copies waiting rows
 * (docs/benchmarks.md, "Request log off the event loop").
 */

/** A batch on its way to the writer thread: row i is bytes[ends[i-1] ?? 0, ends[i]). */
export interface RowBlock {
  bytes: Uint8Array<ArrayBuffer>;
  ends: Uint32Array<ArrayBuffer>;
}

const INITIAL_BYTES = 64 * 1024;

export class RowBytes {
  #buf: Buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  /** Bytes of #buf in use (rows from #first on). */
  #used = 0;
  /** Sequence number of the oldest row still kept. */
  #first = 0;
  /** End offset in #buf of each kept row, oldest first (from #head on). */
  #ends: number[] = [];
  #head = 0;

  /** Rows kept (encoded and not yet released). */
  get size(): number {
    return this.#ends.length - this.#head;
  }

  /** Appends one encoded row; returns its sequence number. */
  append(json: string): number {
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8.
    if (this.#used + json.length * 3 > this.#buf.length) this.#grow(this.#used + json.length * 3);
    this.#used += this.#buf.write(json, this.#used, "utf8");
    this.#ends.push(this.#used);
    return this.#first + this.size - 1;
  }

  /**
   * Copies rows `seqs` (kept, oldest first, each once) into a block of their
   * own: the usual batch is one run of consecutive rows and costs one copy.
   */
  block(seqs: readonly number[]): RowBlock {
    const n = seqs.length;
    const ends = new Uint32Array(n);
    const firstSeq = seqs[0];
    if (n > 0 && firstSeq !== undefined && seqs[n - 1] === firstSeq + n - 1) {
      const start = this.#start(firstSeq);
      const end = this.#end(firstSeq + n - 1);
      const bytes = new Uint8Array(end - start);
      bytes.set(this.#buf.subarray(start, end));
      for (let i = 0; i < n; i++) ends[i] = this.#end(firstSeq + i) - start;
      return { bytes, ends };
    }
    let total = 0;
    for (const seq of seqs) total += this.#end(seq) - this.#start(seq);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const seq = seqs[i]!;
      bytes.set(this.#buf.subarray(this.#start(seq), this.#end(seq)), at);
      at += this.#end(seq) - this.#start(seq);
      ends[i] = at;
    }
    return { bytes, ends };
  }

  /** Forgets every row before `seq` (written, or given up by the writer). */
  releaseBefore(seq: number): void {
    const drop = Math.min(seq - this.#first, this.size);
    if (drop <= 0) return;
    this.#head += drop;
    this.#first += drop;
    if (this.size === 0) {
      this.#ends = [];
      this.#head = 0;
      this.#used = 0;
      // A burst of large rows (bodies) does not keep its buffer forever.
      if (this.#buf.length > 16 * INITIAL_BYTES) this.#buf = Buffer.allocUnsafeSlow(INITIAL_BYTES);
      return;
    }
    // Move the kept bytes to the front once the released part is the larger.
    const offset = this.#ends[this.#head - 1]!;
    if (offset * 2 < this.#used) return;
    this.#buf.copy(this.#buf, 0, offset, this.#used);
    this.#used -= offset;
    const ends = this.#ends.slice(this.#head);
    for (let i = 0; i < ends.length; i++) ends[i]! -= offset;
    this.#ends = ends;
    this.#head = 0;
  }

  #index(seq: number): number {
    const i = seq - this.#first;
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new RangeError(`log row ${seq} is not kept`);
    return this.#head + i;
  }

  #start(seq: number): number {
    const i = this.#index(seq);
    return i === 0 ? 0 : this.#ends[i - 1]!;
  }

  #end(seq: number): number {
    return this.#ends[this.#index(seq)]!;
  }

  #grow(need: number): void {
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.#buf.copy(next, 0, 0, this.#used);
    this.#buf = next;
  }
}

/** The rows of a block, as the JSON texts they were appended as. */
export function blockRows(block: RowBlock): string[] {
  const buf = Buffer.from(block.bytes.buffer, block.bytes.byteOffset, block.bytes.byteLength);
  const out = new Array<string>(block.ends.length);
  let start = 0;
  for (let i = 0; i < block.ends.length; i++) {
    const end = block.ends[i]!;
    out[i] = buf.toString("utf8", start, end);
    start = end;
  }
  return out;
}
