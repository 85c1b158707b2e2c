// The scenario's expected stop arrivals (scenarios/transport/expected-arrivals.jsonl, computed by the independent
// reference implementation scenarios/transport/reference_arrivals.py with the default on-time window) and the
// rows the pipeline wrote, in one comparable shape.
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { kafka, manifest, runId } from './clients.ts';
import type { ScenarioPosition } from './feed.ts';

export const SCENARIO = 'scenarios/transport';

export interface Arrival {
  agencyId: string;
  tripId: string;
  routeId: string;
  vehicleId: string;
  serviceDate: string;
  stopId: string;
  stopSequence: number;
  arrivalTime: number;
  scheduledArrivalTime: number | null;
  delaySeconds: number | null;
  onTime: boolean | null;
  headwaySeconds: number | null;
}

const jsonLines = <T>(file: string): T[] =>
  readFileSync(file, 'utf8').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as T);

export const scenarioPositions = () => jsonLines<ScenarioPosition>(`${SCENARIO}/fixtures/synthetic-positions.jsonl`);

/** The on-time window of this project (iot-platform.yaml parameters:, defaults -60 … 300 s). */
export function onTimeWindow(): { min: number; max: number } {
  const parameters = (manifest() as { parameters?: Record<string, number> }).parameters ?? {};
  return { min: parameters.onTimeMinDelaySeconds ?? -60, max: parameters.onTimeMaxDelaySeconds ?? 300 };
}

/** The expected arrivals, their on-time flag for this project's window, sorted by key. */
export function expectedArrivals(): Arrival[] {
  const { min, max } = onTimeWindow();
  return sortByKey(
    jsonLines<Arrival>(`${SCENARIO}/expected-arrivals.jsonl`).map((a) => ({
      ...a,
      onTime: a.delaySeconds === null ? null : a.delaySeconds >= min && a.delaySeconds <= max,
    })),
  );
}

export const arrivalKey = (a: Pick<Arrival, 'agencyId' | 'tripId' | 'serviceDate' | 'stopSequence'>) =>
  `${a.agencyId}|${a.tripId}|${a.serviceDate}|${a.stopSequence}`;

export const sortByKey = (rows: Arrival[]) => [...rows].sort((a, b) => (arrivalKey(a) < arrivalKey(b) ? -1 : 1));

/** public.stop_arrivals of these trips, as Arrival records sorted by key. */
export async function storedArrivals(db: pg.Pool, tripIds: string[]): Promise<Arrival[]> {
  const { rows } = await db.query(
    `SELECT agency_id, trip_id, route_id, vehicle_id, to_char(service_date, 'YYYY-MM-DD') AS service_date, stop_id,
            stop_sequence, (extract(epoch FROM arrival_time) * 1000)::bigint AS arrival_ms,
            (extract(epoch FROM scheduled_arrival_time) * 1000)::bigint AS scheduled_ms, delay_seconds, on_time,
            headway_seconds
     FROM public.stop_arrivals WHERE trip_id = ANY($1)`,
    [tripIds],
  );
  return sortByKey(
    rows.map((r) => ({
      agencyId: r.agency_id,
      tripId: r.trip_id,
      routeId: r.route_id,
      vehicleId: r.vehicle_id,
      serviceDate: r.service_date,
      stopId: r.stop_id,
      stopSequence: r.stop_sequence,
      arrivalTime: Number(r.arrival_ms),
      scheduledArrivalTime: r.scheduled_ms === null ? null : Number(r.scheduled_ms),
      delaySeconds: r.delay_seconds,
      onTime: r.on_time,
      headwaySeconds: r.headway_seconds,
    })),
  );
}

/** Every JSON value of a topic, from its start to its current end (a fresh consumer group). */
export async function readTopic(topic: string): Promise<Record<string, unknown>[]> {
  const client = kafka();
  const admin = client.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]));
  const values: Record<string, unknown>[] = [];
  if (remaining.size === 0) return values;
  const consumer = client.consumer({ groupId: `e2e-read-${runId()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      if (message.value) values.push(JSON.parse(message.value.toString()) as Record<string, unknown>);
      if (Number(message.offset) + 1 >= (remaining.get(partition) ?? Infinity)) remaining.delete(partition);
      if (remaining.size === 0) done();
    },
  });
  await finished;
  await consumer.disconnect();
  return values;
}
