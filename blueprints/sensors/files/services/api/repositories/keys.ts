// Redis key templates of the sensors blueprint, taken from the manifest's sinks.redis (by topic).
import { compileKeyTemplate, type KeyTemplate } from 'create-iot-platform/redis-sink';

export interface SensorKeys {
  state: KeyTemplate;
  summary: KeyTemplate;
  drought: KeyTemplate;
}

export const DEFAULT_KEY_TEMPLATES = {
  state: { topic: 'sensors.device-state', key: 'sensors:{env}:{tenant}:device:{device_id}:state' },
  summary: { topic: 'sensors.recent-summary', key: 'sensors:{env}:{tenant}:summary:recent' },
  drought: { topic: 'sensors.drought-streak', key: 'sensors:{env}:{tenant}:device:{device_id}:drought' },
} as const;

export function sensorKeys(redisSinks: readonly { topic: string; key: string }[] = []): SensorKeys {
  const template = (which: keyof typeof DEFAULT_KEY_TEMPLATES) =>
    compileKeyTemplate(redisSinks.find((s) => s.topic === DEFAULT_KEY_TEMPLATES[which].topic)?.key ?? DEFAULT_KEY_TEMPLATES[which].key);
  return { state: template('state'), summary: template('summary'), drought: template('drought') };
}
