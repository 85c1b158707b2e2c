// Value models of the prior demo's v2 emulator (prior-demos.md §2.2), one tick at a time.
import { createHash } from 'node:crypto';
import type { Random } from './random.ts';

/** Mean relative humidity per month, January..December. */
export const MONTHLY_HUMIDITY = [88, 86, 80, 68, 58, 64, 69, 70, 72, 76, 82, 85] as const;

/** Day of the year, 1-based, in UTC. */
export function dayOfYear(date: Date): number {
  const start = Date.UTC(date.getUTCFullYear(), 0, 1);
  return Math.floor((date.getTime() - start) / 86_400_000) + 1;
}

/** 5 + 25·sin(2π·(doy − 1 − 200)/365) + N(0, 1) °C. */
export function temperatureAt(date: Date, random: Random): number {
  return 5.0 + 25.0 * Math.sin(2 * Math.PI * ((dayOfYear(date) - 1 - 200) / 365)) + random.gauss(0, 1);
}

/** clamp(MONTHLY_HUMIDITY[month] + N(0, 3) − dryness, 0, 100) %. */
export function humidityAt(date: Date, drynessLevel: number, random: Random): number {
  const base = MONTHLY_HUMIDITY[date.getUTCMonth()]!;
  return Math.min(100, Math.max(0, base + random.gauss(0, 3) - drynessLevel));
}

/** The device's home position: h = first 8 hex digits of sha1(deviceId); ±0.005° lat, ±0.01° lon around the base. */
export function baseLocation(deviceId: string, baseLat: number, baseLon: number): { lat: number; lon: number } {
  const h = parseInt(createHash('sha1').update(deviceId).digest('hex').slice(0, 8), 16);
  return {
    lat: baseLat + ((h % 65536) / 65535 - 0.5) * 0.01,
    lon: baseLon + ((Math.floor(h / 65536) % 65536) / 65535 - 0.5) * 0.02,
  };
}

export interface Tick {
  deviceId: string;
  time: Date;
  seq: number;
  humidity: number;
  temperature: number;
  lat: number;
  lon: number;
  rssi: number;
  snr: number;
  battery: number;
  online: boolean;
}

export interface DeviceOptions {
  drynessLevel: number;
  baseLat: number;
  baseLon: number;
  offlineProbability: number;
}

/** One simulated device in one env × tenant: its seq counter, battery and home position. */
export class SimulatedDevice {
  readonly deviceId: string;
  readonly options: DeviceOptions;
  readonly home: { lat: number; lon: number };
  seq = 0;
  battery = 100;

  constructor(deviceId: string, options: DeviceOptions) {
    this.deviceId = deviceId;
    this.options = options;
    this.home = baseLocation(deviceId, options.baseLat, options.baseLon);
  }

  tick(time: Date, random: Random): Tick {
    this.seq += 1;
    const temperature = temperatureAt(time, random);
    const humidity = humidityAt(time, this.options.drynessLevel, random);
    const lat = this.home.lat + random.gauss(0, 0.0001);
    const lon = this.home.lon + random.gauss(0, 0.0001);
    const rssi = random.randint(-100, -50);
    const snr = random.uniform(-10, 10);
    this.battery = Math.min(100, Math.max(0, this.battery - random.uniform(0, 0.05)));
    const online = this.options.offlineProbability > 0 ? random.next() >= this.options.offlineProbability : true;
    return { deviceId: this.deviceId, time, seq: this.seq, humidity, temperature, lat, lon, rssi, snr, battery: this.battery, online };
  }
}

export type Kind = 'humidity' | 'temperature' | 'location' | 'state';

/** The four CSV messages of a tick, exactly as the v2 emulator printed them (online as Python's True/False). */
export function payloads(tick: Tick): { kind: Kind; payload: string }[] {
  const id = tick.deviceId;
  const iso = tick.time.toISOString();
  return [
    { kind: 'humidity', payload: `${id},${iso},${tick.humidity.toFixed(2)},${tick.seq}` },
    { kind: 'temperature', payload: `${id},${iso},${tick.temperature.toFixed(2)},${tick.seq}` },
    { kind: 'location', payload: `${id},${iso},${tick.lat.toFixed(6)},${tick.lon.toFixed(6)}` },
    {
      kind: 'state',
      payload: `${id},${iso},${tick.rssi},${tick.snr.toFixed(2)},${tick.battery.toFixed(1)},${tick.online ? 'True' : 'False'}`,
    },
  ];
}

export function topicOf(env: string, tenant: string, deviceId: string, kind: Kind): string {
  return `${env}/${tenant}/sensors/${deviceId}/${kind}`;
}
