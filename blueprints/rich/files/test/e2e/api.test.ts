// The RICH API against a running stack once the fixture run is stored (helpers/scenario.ts): authentication,
// OpenAPI, the project's parameters, and answers equal to the reference's labels and fits
// (scenarios/rich/expected-labels.jsonl): the run's counts and live counters, its rings page by page, each found
// track's hits, and the hits of a time slice. In trackless mode the answers are compared with the stored labels and
// rings instead (rings.test.ts judges those against the run's truth).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { resolveParameters } from 'create-iot-platform/rich-simulator';
import { env, manifest, pgPool, redisClient } from './helpers/clients.ts';
import type { ExpectedHit, ExpectedRing } from './helpers/run.ts';
import { fixturePlayed, runStored, wanted, type Run } from './helpers/scenario.ts';
import { waitFor } from './helpers/wait-for.ts';

let db: pg.Pool;
let run: Run;
let want: Awaited<ReturnType<typeof wanted>>;
let base: string;

async function get(path: string, withKey = true): Promise<{ status: number; body: any }> {
  const response = await fetch(`${env.apiUrl}${path}`, { headers: withKey ? { 'x-api-key': env.apiKey } : {} });
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, body: type.includes('json') ? await response.json() : await response.text() };
}

const counts = (hits: ExpectedHit[], rings: ExpectedRing[]) => ({
  hits: hits.length,
  signalHits: hits.filter((h) => h.label === 'signal').length,
  noiseHits: hits.filter((h) => h.label === 'noise').length,
  tracks: rings.length,
  ringsFound: rings.filter((r) => r.found).length,
});

/** A ring of the API against the reference's: counts exactly, the fit within the tolerances of rings.test.ts. */
function expectRing(got: Record<string, any>, ring: ExpectedRing): void {
  expect({ trackId: got.trackId, found: got.found, hits: got.hits, ndf: got.ndf }).toEqual({ trackId: ring.trackId, found: ring.found, hits: ring.hits, ndf: ring.ndf });
  for (const [field, tolerance] of [['centreX', 1e-6], ['centreY', 1e-6], ['radius', 1e-6], ['chi2', 1e-6], ['cherenkovAngle', 1e-9], ['beta', 1e-9]] as const) {
    if (ring[field] === null) expect(got[field], `${ring.trackId} ${field}`).toBeNull();
    else expect(Math.abs(got[field] - ring[field]!), `${ring.trackId} ${field}`).toBeLessThanOrEqual(tolerance);
  }
}

beforeAll(async () => {
  db = pgPool();
  const played = await fixturePlayed();
  run = played.run;
  base = `/api/${run.env}/${run.tenant}/runs/${run.runId}`;
  await runStored(db, run, played.shift);
  want = await wanted(db, run, played.shift);
  const redis = redisClient();
  try {
    await waitFor(async () => (await redis.hget(`rich:${run.env}:${run.tenant}:run:${run.runId}`, 'hits')) === String(want.hits.length),
      { timeoutMs: 60_000, intervalMs: 500, what: 'the run\'s live counters in Redis' });
  } finally {
    redis.disconnect();
  }
}, 420_000);

afterAll(async () => {
  await db?.end();
});

describe('rich api', () => {
  it('rejects requests without the API key, and serves health, docs and the display page without one', async () => {
    for (const path of ['/config', `${base}`, `${base}/rings`, `/api/${run.env}/${run.tenant}/runs`]) {
      const { status, body } = await get(path, false);
      expect(status, path).toBe(401);
      expect(body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    }
    expect(await get('/readyz', false)).toEqual({ status: 200, body: { status: 'ready', checks: { postgres: 'ok', redis: 'ok' } } });
    const display = await get('/display', false);
    expect(display.status).toBe(200);
    expect(display.body).toContain('#key=');
  });

  it('describes its routes in OpenAPI', async () => {
    const { status, body } = await get('/docs/json', false);
    expect(status).toBe(200);
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining([
      '/config', '/display', '/api/{env}/{tenantId}/runs', '/api/{env}/{tenantId}/runs/{runId}', '/api/{env}/{tenantId}/runs/{runId}/rings',
      '/api/{env}/{tenantId}/runs/{runId}/tracks/{trackId}', '/api/{env}/{tenantId}/runs/{runId}/hits',
    ]));
  });

  it('gives the parameters of iot-platform.yaml', async () => {
    expect(await get('/config')).toEqual({ status: 200, body: { ...resolveParameters(manifest().parameters) } });
  });

  it("lists the run with the reference's counts, and the pipeline's live counters", async () => {
    const expectedCounts = counts(want.hits, want.rings);
    const { status, body } = await get(`/api/${run.env}/${run.tenant}/runs?limit=500`);
    expect(status).toBe(200);
    const item = body.items.find((r: { runId: string }) => r.runId === run.runId);
    const times = want.hits.map((h) => BigInt(h.timeNs));
    expect(item).toEqual({
      runId: run.runId, ...expectedCounts,
      firstTimeNs: String(times.reduce((a, b) => (a < b ? a : b))), lastTimeNs: String(times.reduce((a, b) => (a > b ? a : b))),
      live: { ...expectedCounts, lastTimeNs: expect.stringMatching(/^\d+$/) },
    });
    const one = await get(base);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ ...item, rings: { tracks: want.rings.length, found: expectedCounts.ringsFound } });
  });

  it("pages the run's rings by track id, each fit as the reference's", async () => {
    const rings: Record<string, any>[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: any } = await get(`${base}/rings?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      rings.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(rings).toHaveLength(want.rings.length);
    want.rings.forEach((ring, i) => expectRing(rings[i]!, ring));
    const found = await get(`${base}/rings?found=true&limit=500`);
    expect(found.body.items.map((r: { trackId: string }) => r.trackId)).toEqual(want.rings.filter((r) => r.found).map((r) => r.trackId));
  });

  it("gives each found track's hits exactly as the reference labels them, within the track's window", async () => {
    for (const ring of want.rings.filter((r) => r.found)) {
      const { status, body } = await get(`${base}/tracks/${ring.trackId}`);
      expect(status, ring.trackId).toBe(200);
      expectRing(body.ring, ring);
      const hits = want.hits.filter((h) => h.trackId === ring.trackId);
      expect(body.hits, ring.trackId).toEqual(hits);
      for (const h of hits) expect(BigInt(h.timeNs) >= BigInt(body.window.fromNs) && BigInt(h.timeNs) <= BigInt(body.window.toNs), `${h.timeNs} in ${JSON.stringify(body.window)}`).toBe(true);
    }
    expect((await get(`${base}/tracks/1`)).status).toBe(404);
  });

  it('gives the hits of a time slice, and refuses slices over 1 s', async () => {
    const from = BigInt(want.hits[0]!.timeNs);
    const to = from + 200_000_000n;
    const { status, body } = await get(`${base}/hits?fromNs=${from}&toNs=${to}`);
    expect(status).toBe(200);
    expect(body).toEqual({ fromNs: String(from), toNs: String(to), items: want.hits.filter((h) => BigInt(h.timeNs) <= to), truncated: false });
    expect((await get(`${base}/hits?fromNs=${from}&toNs=${from + 1_000_000_001n}`)).status).toBe(400);
  });
});
