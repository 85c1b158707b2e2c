// --shift-to-now: old recordings replayed as if they happened now. Every ISO-8601 UTC instant in a text
// payload (`2026-03-02T02:00:00Z`, `2026-03-02T02:00:00.250Z`) moves by one offset, the whole seconds between
// the first line's ts_ms and the start of the replay. Whole seconds keep each timestamp's own precision and
// format; epoch numbers are left alone, since a number in a payload may be anything.

const ISO_UTC_INSTANT = /\b(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z/g;

export function shiftOffsetMs(firstTsMs: number, nowMs: number): number {
  return Math.floor((nowMs - firstTsMs) / 1000) * 1000;
}

export function shiftIsoTimestamps(text: string, offsetMs: number): string {
  if (offsetMs === 0) return text;
  return text.replace(ISO_UTC_INSTANT, (match, year, month, day, hour, minute, second, fraction: string | undefined) => {
    const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
    // Not a real instant (month 13, Feb 30): leave it as it is, like any other text.
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== match.slice(0, 19)) return match;
    const shifted = new Date(ms + offsetMs);
    if (Number.isNaN(shifted.getTime()) || shifted.getUTCFullYear() > 9999 || shifted.getUTCFullYear() < 0) return match;
    return `${shifted.toISOString().slice(0, 19)}${fraction ?? ''}Z`;
  });
}
