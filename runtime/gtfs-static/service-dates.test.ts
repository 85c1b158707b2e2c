import { describe, expect, it } from 'vitest';
import { serviceDates } from './service-dates.ts';

describe('serviceDates', () => {
  it('counts calendar days, not instants: both daylight-saving changes of the process zone keep every day once', () => {
    // Sundays only, over the 2026 US changes (March 8, November 1) and the EU ones (March 29, October 25).
    const sundays = { days: [false, false, false, false, false, false, true], start: '2026-03-01', end: '2026-11-08' };
    const dates = serviceDates(sundays, undefined);
    expect(dates.length).toBe(37);
    expect(dates.filter((d) => ['2026-03-08', '2026-03-29', '2026-10-25', '2026-11-01'].includes(d))).toEqual(['2026-03-08', '2026-03-29', '2026-10-25', '2026-11-01']);
    expect(new Set(dates).size).toBe(dates.length);
  });

  it('adds exception_type 1, removes 2, sorts, and reads a service that only calendar_dates.txt knows', () => {
    const weekdays = { days: [true, true, true, true, true, false, false], start: '2026-12-21', end: '2026-12-27' };
    expect(serviceDates(weekdays, new Map([['2026-12-25', 2], ['2026-12-26', 1], ['2027-01-02', 1]]))).toEqual([
      '2026-12-21', '2026-12-22', '2026-12-23', '2026-12-24', '2026-12-26', '2027-01-02',
    ]);
    expect(serviceDates(undefined, new Map([['2026-07-04', 1], ['2026-01-01', 1], ['2026-05-01', 2]]))).toEqual(['2026-01-01', '2026-07-04']);
  });
});
