// Where the API reads each value: Redis hash fields written by the Flink jobs through the Redis sink
// (snake_case JSON fields of flink/sql/20-enrichment.sql and 30-summary.sql), with alternative names
// accepted. Adjust here when the SQL changes.

export const STATE_FIELDS = {
  lat: ['lat'],
  lon: ['lon'],
  humidity: ['humidity'],
  temperature: ['temperature'],
  measuredAt: ['measured_at', 'measured_at_ms', 'measurement_event_ts', 'event_time'],
  rssi: ['rssi'],
  snr: ['snr'],
  battery: ['battery'],
  online: ['online'],
  /** Every timestamp that proves the device was heard from; the latest is "last seen". */
  seen: ['last_seen_ms', 'last_seen_at', 'measured_at', 'measured_at_ms', 'state_event_time', 'location_event_time', 'state_ingested_at'],
  /**
   * When the platform received the device's latest message (the ingest gateway's wall clock): the clock of the
   * staleness rule. A device's own event times cannot keep it online, however far ahead its clock runs.
   */
  received: ['last_seen_ms', 'state_ingested_at'],
} as const;

export const SUMMARY_FIELDS = {
  windowStart: ['window_start'],
  windowEnd: ['window_end'],
  windowSeconds: ['window_seconds'],
  totalDevices: ['total_devices'],
  onlineDevices: ['online_devices'],
  offlineDevices: ['offline_devices'],
  avgTemperature: ['avg_temperature', 'avg_temp'],
  avgHumidity: ['avg_humidity'],
} as const;

export const DROUGHT_FIELDS = {
  threshold: ['threshold'],
  lastAt: ['last_event_ts', 'last_ts', 'last_event_time'],
  lastOkAt: ['last_ok_event_ts', 'last_ok_ts', 'last_ok_event_time'],
  streakDays: ['streak_days'],
  lastHumidity: ['last_humidity'],
} as const;

export type Hash = Record<string, string>;

export function pick(hash: Hash, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = hash[name];
    if (value !== undefined && value !== '' && value !== 'null') return value;
  }
  return undefined;
}

export function num(hash: Hash, names: readonly string[]): number | null {
  const raw = pick(hash, names);
  if (raw === undefined) return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

export function bool(hash: Hash, names: readonly string[]): boolean | null {
  const raw = pick(hash, names)?.toLowerCase();
  if (raw === undefined) return null;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  return null;
}

/**
 * Epoch ms from the forms Flink and the demo used: epoch seconds (< 1e10) or ms, ISO-8601 with a zone, or
 * "YYYY-MM-DD HH:MM:SS[.fff]" without one (read as UTC, Flink's TIMESTAMP(3) JSON form).
 */
export function parseTime(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const text = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return Math.abs(n) < 1e10 ? n * 1000 : n;
  }
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text);
  const ms = Date.parse(zoned ? text.replace(' ', 'T') : `${text.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? ms : null;
}

export function time(hash: Hash, names: readonly string[]): number | null {
  return parseTime(pick(hash, names));
}

export function latestTime(hash: Hash, names: readonly string[]): number | null {
  let latest: number | null = null;
  for (const name of names) {
    const t = parseTime(hash[name] === '' ? undefined : hash[name]);
    if (t !== null && (latest === null || t > latest)) latest = t;
  }
  return latest;
}

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
