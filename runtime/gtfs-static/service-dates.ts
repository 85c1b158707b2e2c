// The dates a service runs: calendar.txt's weekdays from start_date to end_date, plus calendar_dates.txt
// exception_type 1, minus exception_type 2; ISO dates, sorted. Dates are days of the calendar, not instants,
// so they are counted in UTC where no daylight-saving change can skip or repeat one.
import type { Calendar } from './feed-model.ts';

const DAY_MS = 86_400_000;

export function serviceDates(calendar: Calendar | undefined, exceptions: ReadonlyMap<string, number> | undefined): string[] {
  const dates = new Set<string>();
  if (calendar) {
    const end = Date.parse(`${calendar.end}T00:00:00Z`);
    for (let t = Date.parse(`${calendar.start}T00:00:00Z`); t <= end; t += DAY_MS) {
      const day = new Date(t);
      // getUTCDay: Sunday = 0; calendar.days: Monday first.
      if (calendar.days[(day.getUTCDay() + 6) % 7]) dates.add(day.toISOString().slice(0, 10));
    }
  }
  for (const [date, type] of exceptions ?? []) {
    if (type === 1) dates.add(date);
    else dates.delete(date);
  }
  return [...dates].sort();
}
