/** A payload that cannot be decoded (truncated, wrong size, bad wire type …); the message is one line. */
export class DecodeError extends Error {}
