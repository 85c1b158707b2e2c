// A reader of the protobuf wire format (https://protobuf.dev/programming-guides/encoding/): tags, varints,
// fixed32/fixed64 and length-delimited fields, with unknown fields skipped. Groups (wire types 3 and 4) are
// rejected; packed repeated fields are not decoded. Every malformation throws DecodeError.
import { DecodeError } from './decode-error.ts';

export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const FIXED32 = 5;

const WIRE_NAMES: Record<number, string> = { 0: 'varint', 1: 'fixed64', 2: 'length-delimited', 5: 'fixed32' };
const TWO_32 = 2 ** 32;
// uint64 values are returned as numbers, so the high half may use at most 21 bits (2^53 - 1 overall).
const MAX_SAFE_HIGH = 2 ** 21;

// Lenient like proto2 parsers: a label with a broken byte sequence should not cost a whole feed.
const utf8 = new TextDecoder('utf-8');

/** Reads the fields of one message from bytes[start, end); message() opens a nested one on the same bytes. */
export class WireReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #end: number;
  readonly #name: string;
  #pos: number;
  #field = 0;
  #wireType = -1;
  // The two 32-bit halves of the last varint read.
  #low = 0;
  #high = 0;

  /** `name` (e.g. the message type) prefixes error messages. */
  constructor(bytes: Uint8Array, name: string, start = 0, end = bytes.length) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#name = name;
    this.#pos = start;
    this.#end = end;
  }

  /** The field number of the field just read by next(). */
  get field(): number {
    return this.#field;
  }

  get wireType(): number {
    return this.#wireType;
  }

  /** Reads the next tag and returns its field number, or undefined at the end of the message. */
  next(): number | undefined {
    if (this.#pos >= this.#end) return undefined;
    this.#readVarint();
    const tag = this.#low;
    if (this.#high !== 0) this.#fail(`tag ${this.#high * TWO_32 + tag} is out of range`);
    this.#field = Math.floor(tag / 8);
    this.#wireType = tag % 8;
    if (this.#field === 0) this.#fail('field number 0 is invalid');
    if (!(this.#wireType in WIRE_NAMES)) {
      const kind = this.#wireType === 3 || this.#wireType === 4 ? ' (groups are not supported)' : '';
      this.#fail(`field ${this.#field} has wire type ${this.#wireType}${kind}`);
    }
    return this.#field;
  }

  /** Skips the value of the current field. */
  skip(): void {
    switch (this.#wireType) {
      case VARINT:
        this.#readVarint();
        break;
      case FIXED64:
        this.#advance(8);
        break;
      case FIXED32:
        this.#advance(4);
        break;
      case LENGTH_DELIMITED:
        this.#advance(this.#length());
        break;
    }
  }

  uint64(): number {
    this.#expect(VARINT);
    this.#readVarint();
    if (this.#high >= MAX_SAFE_HIGH) this.#fail(`field ${this.#field}: uint64 value exceeds 2^53 - 1`);
    return this.#high * TWO_32 + this.#low;
  }

  /** A uint32 field: the low 32 bits, as protobuf parsers truncate. */
  uint32(): number {
    this.#expect(VARINT);
    this.#readVarint();
    return this.#low;
  }

  /** An int32 or enum field (negative values are sign-extended to 10 bytes on the wire). */
  int32(): number {
    this.#expect(VARINT);
    this.#readVarint();
    return this.#low | 0;
  }

  bool(): boolean {
    this.#expect(VARINT);
    this.#readVarint();
    return this.#low !== 0 || this.#high !== 0;
  }

  /** A float field as the exact float32 value. */
  float(): number {
    this.#expect(FIXED32);
    return this.#view.getFloat32(this.#advance(4), true);
  }

  double(): number {
    this.#expect(FIXED64);
    return this.#view.getFloat64(this.#advance(8), true);
  }

  fixed32(): number {
    this.#expect(FIXED32);
    return this.#view.getUint32(this.#advance(4), true);
  }

  /** A fixed64 field; values above 2^53 - 1 throw. */
  fixed64(): number {
    this.#expect(FIXED64);
    const at = this.#advance(8);
    const high = this.#view.getUint32(at + 4, true);
    if (high >= MAX_SAFE_HIGH) this.#fail(`field ${this.#field}: fixed64 value exceeds 2^53 - 1`);
    return high * TWO_32 + this.#view.getUint32(at, true);
  }

  /** A bytes field, as a view on the payload (not a copy). */
  bytes(): Uint8Array {
    this.#expect(LENGTH_DELIMITED);
    const length = this.#length();
    const at = this.#advance(length);
    return this.#bytes.subarray(at, at + length);
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  /** An embedded message field: a reader of its bytes, named `name` in errors. */
  message(name: string): WireReader {
    this.#expect(LENGTH_DELIMITED);
    const length = this.#length();
    const at = this.#advance(length);
    return new WireReader(this.#bytes, name, at, at + length);
  }

  #expect(wireType: number): void {
    if (this.#wireType !== wireType) {
      this.#fail(`field ${this.#field} has wire type ${this.#wireType} (${WIRE_NAMES[this.#wireType]}), expected ${wireType} (${WIRE_NAMES[wireType]})`);
    }
  }

  /** Moves past n bytes and returns where they start. */
  #advance(n: number): number {
    const at = this.#pos;
    if (n > this.#end - at) this.#fail(`truncated: field ${this.#field} needs ${n} bytes at byte ${at}, ${this.#end - at} left`);
    this.#pos = at + n;
    return at;
  }

  #length(): number {
    this.#readVarint();
    if (this.#high !== 0 || this.#low > 0x7fffffff) this.#fail(`field ${this.#field}: length ${this.#high * TWO_32 + this.#low} is out of range`);
    return this.#low;
  }

  /** Reads a varint of up to 10 bytes into #low and #high (unsigned 32-bit halves). */
  #readVarint(): void {
    const start = this.#pos;
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i++) {
      if (this.#pos >= this.#end) this.#fail(`truncated varint at byte ${start}`);
      const byte = this.#bytes[this.#pos++]!;
      const bits = byte & 0x7f;
      if (i < 4) low |= bits << (7 * i);
      else if (i === 4) {
        low |= bits << 28;
        high = bits >>> 4;
      } else high |= bits << (7 * i - 32);
      if (byte < 0x80) {
        this.#low = low >>> 0;
        this.#high = high >>> 0;
        return;
      }
    }
    this.#fail(`varint at byte ${start} is longer than 10 bytes`);
  }

  #fail(reason: string): never {
    throw new DecodeError(`${this.#name}: ${reason}`);
  }
}
