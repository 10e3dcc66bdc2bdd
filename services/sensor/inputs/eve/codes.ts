/**
 * The UTF-16 code units of the string a line is read from (the chunk's
 * string, lines.ts lineIn), in a typed array: unit i of the array is
 * t.charCodeAt(i), so every offset into the string is one into the array.
 *
 * The EVE hot path reads a few hundred characters of each matched line one
 * by one (walking to the wanted values, testing addresses, parsing the time
 * stamp and numbers). String#charCodeAt dispatches on the string's
 * representation at every call, even in optimised code, and costs about
 * twice an element read of a typed array (README, Performance). Copying the
 * chunk once costs ~5 µs per 64 KiB (~40 ns per line) and is done only when
 * a template has matched a line of the chunk.
 *
 * An ASCII string is copied by TextEncoder#encodeInto (native, one byte per
 * character when every character is ASCII, which the counts it returns
 * tell); any other string into a Uint16Array (natively as UCS-2).
 */
import { endianness } from 'node:os';

export type Codes = Uint8Array | Uint16Array;

const encoder = new TextEncoder();
const LITTLE_ENDIAN = endianness() === 'LE';

export class ChunkCodes {
  #text = '';
  #codes: Codes = new Uint8Array(0);
  #bytes = new Uint8Array(1024);
  #units = new Uint16Array(0);

  /** The code units of `t` (valid until the next call). */
  of(t: string): Codes {
    // The same string as last time (the next line of the chunk). A different string of equal
    // contents has equal units, so comparing by value is right too (and stops at the first difference).
    if (t === this.#text) return this.#codes;
    this.#text = t;
    this.#codes = this.#copy(t);
    return this.#codes;
  }

  #copy(t: string): Codes {
    const n = t.length;
    if (this.#bytes.length < n) this.#bytes = new Uint8Array(Math.max(n, this.#bytes.length * 2));
    // A non-ASCII character takes 2-3 bytes (a lone surrogate 3, as U+FFFD), so n bytes for n units means ASCII.
    const { read, written } = encoder.encodeInto(t, this.#bytes);
    if (read === n && written === n) return this.#bytes.subarray(0, n);
    if (this.#units.length < n) this.#units = new Uint16Array(Math.max(n, this.#units.length * 2));
    const units = this.#units;
    // UCS-2 is UTF-16LE, the typed array's order on a little-endian machine: a native copy of the units.
    if (LITTLE_ENDIAN) Buffer.from(units.buffer, 0, 2 * n).write(t, 0, 'utf16le');
    else for (let i = 0; i < n; i++) units[i] = t.charCodeAt(i);
    return units.subarray(0, n);
  }
}

/** The code units of `t` in a new array (tests and the string entry points: not on the hot path). */
export function codesOf(t: string): Codes {
  return new ChunkCodes().of(t);
}
