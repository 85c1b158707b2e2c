// Redis key templates of the transport blueprint, taken from the manifest's sinks.redis (by topic).
import { compileKeyTemplate, type KeyTemplate } from 'create-iot-platform/redis-sink';

export interface VehicleKeys {
  state: KeyTemplate;
  arrival: KeyTemplate;
}

export const DEFAULT_KEY_TEMPLATES = {
  state: { topic: 'transport.vehicle-state', key: 'transport:vehicle:{vehicle_id}' },
  arrival: { topic: 'transport.vehicle-arrival', key: 'transport:vehicle:{vehicle_id}:arrival' },
} as const;

export function vehicleKeys(redisSinks: readonly { topic: string; key: string }[] = []): VehicleKeys {
  const template = (which: keyof typeof DEFAULT_KEY_TEMPLATES) =>
    compileKeyTemplate(redisSinks.find((s) => s.topic === DEFAULT_KEY_TEMPLATES[which].topic)?.key ?? DEFAULT_KEY_TEMPLATES[which].key);
  return { state: template('state'), arrival: template('arrival') };
}
