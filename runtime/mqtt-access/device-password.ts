// A device's MQTT password is derived from the project's MQTT_DEVICE_KEY and its user name, so the platform's
// tools (simulator, replay, e2e tests, `devices credentials`) can compute it without a stored copy; the broker
// keeps only a salted PBKDF2 hash of it.
import { createHmac } from 'node:crypto';

export function devicePassword(deviceKey: string, username: string): string {
  if (!deviceKey) throw new Error('MQTT_DEVICE_KEY is empty: set it in .env (npm run env creates a missing .env)');
  return createHmac('sha256', deviceKey).update(`mqtt-device:${username}`).digest('base64url');
}
