// The transport API against a running stack: authentication, OpenAPI, and answers consistent with the stores once
// public.stop_arrivals holds the arrivals of the platform's transport scenario (expected-arrivals.jsonl, the
// reference implementation's rows for the synthetic feed): each stop's arrivals contain them, each route's
// performance is the aggregate of its rows, and every vehicle the API lists is its Redis hash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { compileKeyTemplate } from 'create-iot-platform/redis-sink';
import { env, manifest, pgPool, redisClient } from './helpers/clients.ts';
import { expectedArrivals } from './helpers/arrivals.ts';
import { liveVehicles, scenarioPlayed } from './helpers/scenario.ts';
import { waitFor } from './helpers/wait-for.ts';

type Row = Record<string, string | number | boolean | null>;

// The scenario's arrivals, with the on-time flag of this project's parameters (helpers/arrivals.ts).
const EXPECTED = expectedArrivals() as unknown as Row[];
/** How long the pipeline may take to detect the scenario's arrivals (ARRIVALS_TIMEOUT_SECONDS, default 600). */
const ARRIVALS_TIMEOUT_MS = Number(process.env.ARRIVALS_TIMEOUT_SECONDS ?? 600) * 1000;

let pool: pg.Pool;
let redis: Redis;

/** The vehicle hashes' keys, as the manifest's sinks.redis names them. */
function vehicleKey(topic: 'transport.vehicle-state' | 'transport.vehicle-arrival', vehicleId: string): string {
  const sink = manifest().sinks.redis.find((s) => s.topic === topic);
  if (!sink) throw new Error(`iot-platform.yaml has no sinks.redis entry for ${topic}`);
  return compileKeyTemplate(sink.key).fill({ vehicle_id: vehicleId })!;
}

async function get(path: string, withKey = true): Promise<{ status: number; body: any }> {
  const response = await fetch(`${env.apiUrl}${path}`, { headers: withKey ? { 'x-api-key': env.apiKey } : {} });
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, body: type.includes('json') ? await response.json() : await response.text() };
}

const iso = (ms: unknown) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** A contract row (transport.arrivals.v1) as the API answers it. */
function apiArrival(r: Row) {
  return {
    agencyId: r.agencyId, tripId: r.tripId, routeId: r.routeId, vehicleId: r.vehicleId, serviceDate: r.serviceDate,
    stopId: r.stopId, stopSequence: r.stopSequence, arrivalTime: iso(r.arrivalTime),
    scheduledArrivalTime: iso(r.scheduledArrivalTime), delaySeconds: r.delaySeconds, onTime: r.onTime, headwaySeconds: r.headwaySeconds,
  };
}

/** public.stop_arrivals rows as contract rows. */
async function storedArrivals(where: string, params: unknown[]): Promise<Row[]> {
  const { rows } = await pool.query(
    `select agency_id as "agencyId", trip_id as "tripId", route_id as "routeId", vehicle_id as "vehicleId",
            service_date::text as "serviceDate", stop_id as "stopId", stop_sequence as "stopSequence",
            (extract(epoch from arrival_time) * 1000)::float8 as "arrivalTime",
            (extract(epoch from scheduled_arrival_time) * 1000)::float8 as "scheduledArrivalTime",
            delay_seconds as "delaySeconds", on_time as "onTime", headway_seconds as "headwaySeconds"
       from public.stop_arrivals where ${where}`,
    params,
  );
  return rows as Row[];
}

const rowKey = (r: Row) => [r.agencyId, r.tripId, r.serviceDate, r.stopSequence].join('|');

beforeAll(async () => {
  pool = pgPool();
  redis = redisClient();
  await scenarioPlayed();
  await liveVehicles(); // vehicles reporting now: the scenario's own states expire after the manifest's TTL
}, 900_000);

afterAll(async () => {
  await pool?.end();
  redis?.disconnect();
});

describe('transport api', () => {
  it('rejects requests without the API key, and serves health, docs and the map page without one', async () => {
    for (const path of ['/vehicles', '/network', '/stops/A1/arrivals', '/routes/R1/performance']) {
      const { status, body } = await get(path, false);
      expect(status, path).toBe(401);
      expect(body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    }
    expect((await get('/healthz', false)).status).toBe(200);
    expect(await get('/readyz', false)).toEqual({ status: 200, body: { status: 'ready', checks: { postgres: 'ok', redis: 'ok' } } });
    const map = await get('/map', false);
    expect(map.status).toBe(200);
    expect(map.body).toContain('#key=');
  });

  it('describes its routes in OpenAPI', async () => {
    const { status, body } = await get('/docs/json', false);
    expect(status).toBe(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/vehicles', '/vehicles/{vehicleId}', '/stops/{stopId}/arrivals', '/routes/{routeId}/performance', '/network', '/map']),
    );
    expect(body.info.description).toContain('/map#key=<API key>');
  });

  it('answers 404 for an unknown vehicle, stop and route', async () => {
    expect((await get('/vehicles/no-such-vehicle')).status).toBe(404);
    expect((await get('/stops/no-such-stop/arrivals')).status).toBe(404);
    expect((await get('/routes/no-such-route/performance')).status).toBe(404);
  });

  describe('once public.stop_arrivals holds the scenario arrivals', () => {
    beforeAll(async () => {
      const want = new Set(EXPECTED.map(rowKey));
      await waitFor(
        async () => {
          const stored = await storedArrivals('agency_id = $1', [EXPECTED[0]!.agencyId]);
          return stored.filter((r) => want.has(rowKey(r))).length === want.size;
        },
        { timeoutMs: ARRIVALS_TIMEOUT_MS, intervalMs: 2000, what: `the ${want.size} arrivals of expected-arrivals.jsonl in public.stop_arrivals` },
      );
      const stored = new Map((await storedArrivals('agency_id = $1', [EXPECTED[0]!.agencyId])).map((r) => [rowKey(r), r]));
      for (const row of EXPECTED) expect(stored.get(rowKey(row)), rowKey(row)).toEqual(row);
    }, ARRIVALS_TIMEOUT_MS + 30_000);

    it("lists each stop's arrivals, newest first, with the scenario's among them", async () => {
      for (const stopId of new Set(EXPECTED.map((r) => String(r.stopId)))) {
        const { status, body } = await get(`/stops/${encodeURIComponent(stopId)}/arrivals?limit=500`);
        expect(status, stopId).toBe(200);
        expect(body.stopId).toBe(stopId);
        const times = body.items.map((a: { arrivalTime: string }) => Date.parse(a.arrivalTime));
        expect(times, `${stopId} newest first`).toEqual([...times].sort((a, b) => b - a));
        for (const row of EXPECTED.filter((r) => r.stopId === stopId)) expect(body.items).toContainEqual(apiArrival(row));
      }
    });

    it("gives each route's performance per service date as the aggregate of its arrivals", async () => {
      const pairs = new Set(EXPECTED.map((r) => `${r.routeId}|${r.serviceDate}`));
      for (const pair of pairs) {
        const [routeId, serviceDate] = pair.split('|') as [string, string];
        const rows = await storedArrivals('route_id = $1 and service_date = $2::date', [routeId, serviceDate]);
        const scheduled = rows.filter((r) => r.onTime !== null);
        const onTime = scheduled.filter((r) => r.onTime === true).length;
        const delays = rows.filter((r) => r.delaySeconds !== null).map((r) => Number(r.delaySeconds));
        const average = delays.length === 0 ? null : delays.reduce((a, b) => a + b, 0) / delays.length;
        const { status, body } = await get(`/routes/${encodeURIComponent(routeId)}/performance?serviceDate=${serviceDate}`);
        expect(status, pair).toBe(200);
        expect(body.routeId).toBe(routeId);
        expect(body.serviceDates).toHaveLength(1);
        const day = body.serviceDates[0];
        expect(day, pair).toMatchObject({ serviceDate, arrivals: rows.length, scheduledArrivals: scheduled.length, onTimeArrivals: onTime });
        expect(day.onTimeShare).toBe(scheduled.length === 0 ? null : onTime / scheduled.length);
        if (average === null) expect(day.averageDelaySeconds).toBeNull();
        else expect(Math.abs(day.averageDelaySeconds - average), `${pair} average delay`).toBeLessThanOrEqual(0.05);
        expect(rows.length).toBeGreaterThanOrEqual(EXPECTED.filter((r) => `${r.routeId}|${r.serviceDate}` === pair).length);
      }
    });

    it('draws the network of the static feed: every route and every stop the arrivals were at', async () => {
      const { status, body } = await get('/network');
      expect(status).toBe(200);
      const routes = new Set(body.routes.map((r: { routeId: string }) => r.routeId));
      const stops = new Set(body.stops.map((s: { stopId: string }) => s.stopId));
      for (const row of EXPECTED) {
        expect(routes.has(row.routeId), `route ${row.routeId}`).toBe(true);
        expect(stops.has(row.stopId), `stop ${row.stopId}`).toBe(true);
      }
      for (const route of body.routes) expect(route.lines.length, `lines of route ${route.routeId}`).toBeGreaterThan(0);
    });
  });

  it('lists the vehicles of Redis, each with its state hash and its last arrival only on its current trip', async () => {
    const vehicles = await waitFor(
      async () => {
        const { status, body } = await get('/vehicles');
        return status === 200 && body.items.length > 0 ? (body.items as any[]) : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 2000, what: 'vehicles in the API (GTFS-RT positions through the pipeline)' },
    );
    for (const listed of vehicles) {
      // A hash may have moved on since the list: compare one vehicle's answer with its hashes read right after it.
      const consistent = await waitFor(
        async () => {
          const { status, body } = await get(`/vehicles/${encodeURIComponent(listed.vehicleId)}`);
          if (status === 404) return { gone: true } as const; // expired (TTL) since the list
          const [state, arrival] = await Promise.all([
            redis.hgetall(vehicleKey('transport.vehicle-state', listed.vehicleId)),
            redis.hgetall(vehicleKey('transport.vehicle-arrival', listed.vehicleId)),
          ]);
          const sameArrival = body.lastArrival === null ? arrival.trip_id !== state.trip_id : arrival.trip_id === body.tripId;
          const same = state.trip_id === (body.tripId ?? undefined) && Number(state.latitude) === body.latitude && Number(state.longitude) === body.longitude;
          return same && sameArrival ? { gone: false, body, arrival } : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500, what: `vehicle ${listed.vehicleId} as its Redis hashes say` },
      );
      if (consistent.gone || consistent.body.lastArrival === null) continue;
      const { body, arrival } = consistent;
      expect(body.lastArrival).toMatchObject({ tripId: arrival.trip_id, stopId: arrival.stop_id ?? null });
      expect(body.delaySeconds).toBe(arrival.delay_seconds === undefined ? null : Number(arrival.delay_seconds));
      expect(body.onTime).toBe(arrival.on_time === undefined ? null : arrival.on_time === 'true');
      const expected = body.onTime === null ? 'unknown' : body.onTime ? 'on-time' : body.delaySeconds < 0 ? 'early' : 'late';
      expect(body.punctuality).toBe(expected);
      // A scenario vehicle's arrival is one of the scenario's rows.
      const row = EXPECTED.find((r) => r.vehicleId === body.vehicleId && r.tripId === body.tripId && r.serviceDate === body.lastArrival.serviceDate && r.stopSequence === body.lastArrival.stopSequence);
      if (row) expect(body.lastArrival).toMatchObject({ delaySeconds: row.delaySeconds, onTime: row.onTime, arrivalTime: iso(row.arrivalTime) });
    }
  }, 600_000);
});
