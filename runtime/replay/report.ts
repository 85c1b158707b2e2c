// What iot-replay tells its user: the plan and a progress line every second (stderr), the summary (stdout).
import { replayDurationMs } from './schedule.ts';

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 120) return `${minutes} min ${Math.floor(s % 60)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

function rate(count: number, ms: number): string {
  return ms > 0 ? `${Math.round((count * 1000) / ms)} msg/s` : `${count} msg in under 1 ms`;
}

export function progressLine(acknowledged: number, total: number, elapsedMs: number): string {
  const percent = Math.floor((acknowledged * 100) / total);
  return `replay: ${acknowledged}/${total} acknowledged (${percent} %), ${formatDuration(elapsedMs)}, ${rate(acknowledged, elapsedMs)}`;
}

export function summaryLine(file: string, published: number, topics: number, elapsedMs: number): string {
  return `replayed ${published} message${published === 1 ? '' : 's'} to ${topics} topic${topics === 1 ? '' : 's'} from ${file} in ${formatDuration(elapsedMs)} (${rate(published, elapsedMs)}), QoS 1, all acknowledged`;
}

export function planLine(file: string, messages: number, topics: number, spanMs: number, speed: number, shiftOffsetMs: number | undefined): string {
  const timing = speed === 0 ? 'without waiting' : `over ${formatDuration(replayDurationMs(spanMs, speed))} (original span ${formatDuration(spanMs)}, speed ${speed})`;
  const shift =
    shiftOffsetMs === undefined ? '' : `, payload timestamps moved ${shiftOffsetMs < 0 ? 'back' : 'forward'} by ${formatDuration(Math.abs(shiftOffsetMs))}`;
  return `${file}: ${messages} message${messages === 1 ? '' : 's'} to ${topics} topic${topics === 1 ? '' : 's'}, published ${timing}${shift}`;
}
