// The decoder registry: a payload format of the manifest (events.<name>.format) → the function that splits one
// payload into raw records (field name → raw value). Validation against the event's fields happens after.
import type { EventDefinition } from '../../service-kit/manifest.ts';
import { decodeFixedWidth } from './fixed-width.ts';
import { decodeGtfsRtVehiclePositions } from './gtfs-rt.ts';
import { decodeGtfsRtTripUpdates } from './gtfs-rt-trip-updates.ts';
import { decodeCsv, decodeJson } from './text.ts';

export { DecodeError } from './decode-error.ts';

export type Decoder = (payload: Uint8Array, event: EventDefinition) => Record<string, unknown>[];

export const DECODERS: Record<EventDefinition['format'], Decoder> = {
  csv: decodeCsv,
  json: decodeJson,
  'gtfs-rt': (payload) => decodeGtfsRtVehiclePositions(payload).records,
  'gtfs-rt-trip-updates': (payload) => decodeGtfsRtTripUpdates(payload).tripUpdates.flatMap((u) => u.records),
  'fixed-width': (payload, event) => decodeFixedWidth(payload, event.layout!),
};

/** Whether a format carries one record per payload (its dead letters keep the raw payload as it came). */
export const singleRecord = (event: EventDefinition): boolean => event.format === 'csv' || event.format === 'json';
