// A writer of the protobuf wire format (https://protobuf.dev/programming-guides/encoding/), the counterpart of
// the gateway's WireReader: varints, fixed32 floats, fixed64 doubles and length-delimited strings and messages.
// Fields are written in the order they are called; a nested message is written by a callback.

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;
const TWO_32 = 2 ** 32;
const utf8 = new TextEncoder();

export class WireWriter {
  #buffer = new Uint8Array(256);
  #view = new DataView(this.#buffer.buffer);
  #length = 0;

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  /** A uint32, uint64 or non-negative int32 field; `value` must be a safe non-negative integer. */
  uint(field: number, value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`field ${field}: ${value} is not a non-negative safe integer`);
    this.#tag(field, VARINT);
    this.#varint(value);
    return this;
  }

  /** An int32 or enum field; negative values take 10 bytes (sign-extended to 64 bits), as protobuf requires. */
  int32(field: number, value: number): this {
    if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) throw new RangeError(`field ${field}: ${value} is not an int32`);
    this.#tag(field, VARINT);
    if (value >= 0) this.#varint(value);
    else this.#varint64(value >>> 0, 0xffffffff);
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.uint(field, value ? 1 : 0);
  }

  /** A float field: the value rounded to float32. */
  float(field: number, value: number): this {
    this.#tag(field, FIXED32);
    this.#reserve(4);
    this.#view.setFloat32(this.#length, value, true);
    this.#length += 4;
    return this;
  }

  double(field: number, value: number): this {
    this.#tag(field, FIXED64);
    this.#reserve(8);
    this.#view.setFloat64(this.#length, value, true);
    this.#length += 8;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, LENGTH_DELIMITED);
    this.#varint(value.length);
    this.#reserve(value.length);
    this.#buffer.set(value, this.#length);
    this.#length += value.length;
    return this;
  }

  /** An embedded message field, its fields written by `write` on a fresh writer. */
  message(field: number, write: (w: WireWriter) => void): this {
    const inner = new WireWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  #tag(field: number, wireType: number): void {
    if (!Number.isInteger(field) || field < 1 || field >= 2 ** 29) throw new RangeError(`field number ${field} is out of range`);
    this.#varint(field * 8 + wireType);
  }

  #varint(value: number): void {
    this.#varint64(value % TWO_32 >>> 0, Math.floor(value / TWO_32) >>> 0);
  }

  #varint64(low: number, high: number): void {
    this.#reserve(10);
    while (high !== 0 || low > 0x7f) {
      this.#buffer[this.#length++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    this.#buffer[this.#length++] = low;
  }

  #reserve(n: number): void {
    if (this.#length + n <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.#length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
    this.#view = new DataView(grown.buffer);
  }
}
