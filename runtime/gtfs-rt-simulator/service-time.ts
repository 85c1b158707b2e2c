// GTFS service days: a time of day is seconds since "noon minus 12 h" of the service date in the agency's time
// zone (so 25:10:00 is the next morning, and days with a daylight-saving change still count from local noon).

const DAY_MS = 86_400_000;

function parts(date: string): [number, number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8))];
}

/** The zone's offset from UTC (ms) at the instant. */
const formats = new Map<string, Intl.DateTimeFormat>();
const dayStarts = new Map<string, number>();

function zoneOffsetMs(epochMs: number, timeZone: string): number {
  let format = formats.get(timeZone);
  if (!format) formats.set(timeZone, (format = makeFormat(timeZone)));
  const p = Object.fromEntries(format.formatToParts(epochMs).map((x) => [x.type, Number(x.value)]));
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - Math.floor(epochMs / 1000) * 1000;
}

function makeFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
}

/** Epoch ms of "noon minus 12 h" of the service date (YYYYMMDD) in the zone. */
export function serviceDayStartMs(date: string, timeZone: string): number {
  const key = `${date}|${timeZone}`;
  const known = dayStarts.get(key);
  if (known !== undefined) return known;
  const [y, m, d] = parts(date);
  const noonWall = Date.UTC(y, m, d, 12);
  // Noon is never inside a daylight-saving jump, so the offset found near it is the offset at it.
  const noon = noonWall - zoneOffsetMs(noonWall - zoneOffsetMs(noonWall, timeZone), timeZone);
  dayStarts.set(key, noon - 12 * 3_600_000);
  return noon - 12 * 3_600_000;
}

/** The local date (YYYYMMDD) of an instant in the zone. */
export function localDate(epochMs: number, timeZone: string): string {
  const local = new Date(epochMs + zoneOffsetMs(epochMs, timeZone));
  return local.toISOString().slice(0, 10).replaceAll('-', '');
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = parts(date);
  return new Date(Date.UTC(y, m, d) + days * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
}

/** GTFS seconds as HH:MM:SS (hours may pass 24). */
export function formatGtfsTime(seconds: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
}
