// How late a vehicle runs, from its last arrival on its current trip. Flink decided on_time with the manifest's
// onTimeMinDelaySeconds / onTimeMaxDelaySeconds; outside that range the delay's sign says early or late.

export const PUNCTUALITIES = ['on-time', 'early', 'late', 'unknown'] as const;
export type Punctuality = (typeof PUNCTUALITIES)[number];

export function punctuality(delaySeconds: number | null, onTime: boolean | null): Punctuality {
  if (delaySeconds === null || onTime === null) return 'unknown';
  if (onTime) return 'on-time';
  return delaySeconds < 0 ? 'early' : 'late';
}
