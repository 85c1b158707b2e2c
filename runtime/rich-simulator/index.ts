// The RICH simulator as a library (create-iot-platform/rich-simulator), for tests and benchmarks that simulate runs
// or read the wire records themselves.
export { DEFAULT_PARAMETERS, PARAMETER_NAMES, readParametersFile, resolveParameters } from './parameters.ts';
export type { RichParameters } from './parameters.ts';
export { Rng } from './prng.ts';
export { RunGenerator, simulateRun, SLICE_NS } from './run.ts';
export type { RunOptions, SimHit, SimTrack } from './run.ts';
export { decodeHits, decodeTracks, encodeHits, encodeTracks, HIT_BYTES, TRACK_BYTES } from './wire.ts';
export type { WireHit, WireTrack } from './wire.ts';
export { parseTruth, truthLine, truthLines } from './truth.ts';
export { writeRunFiles } from './files.ts';
export { publishLive } from './live.ts';
export type { LiveOptions, LiveSummary } from './live.ts';
