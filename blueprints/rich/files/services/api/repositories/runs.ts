// Runs, rings and hits in PostgreSQL (rich_hits, rich_rings; written by Flink's ring filter). Times are ns since
// the epoch, read and answered as decimal strings (64-bit integers do not fit a JSON number).
import type { Pool } from 'pg';

export interface StoredRun {
  runId: string;
  hits: number;
  signalHits: number;
  noiseHits: number;
  firstTimeNs: string | null;
  lastTimeNs: string | null;
  tracks: number;
  ringsFound: number;
}

export interface RingSummary {
  tracks: number;
  found: number;
  meanRadiusMm: number | null;
  minRadiusMm: number | null;
  maxRadiusMm: number | null;
  meanHits: number | null;
  meanCherenkovAngle: number | null;
  meanBeta: number | null;
}

export interface Ring {
  /** The track's time (ns); trackless mode: the ring's id. */
  trackId: string;
  /** The track's impact point and direction; null in trackless mode (a ring found from the hits alone). */
  x: number | null;
  y: number | null;
  vx: number | null;
  vy: number | null;
  vz: number | null;
  found: boolean;
  hits: number;
  centreX: number | null;
  centreY: number | null;
  radius: number | null;
  chi2: number | null;
  ndf: number | null;
  cherenkovAngle: number | null;
  beta: number | null;
}

export interface Hit {
  timeNs: string;
  ix: number;
  iy: number;
  label: 'signal' | 'noise';
  trackId: string | null;
}

const RING_COLUMNS = `track_id::text as "trackId", x, y, vx, vy, vz, found, hits, centre_x as "centreX", centre_y as "centreY",
  radius, chi2, ndf, cherenkov_angle as "cherenkovAngle", beta`;
const HIT_COLUMNS = `time_ns::text as "timeNs", ix, iy, label, track_id::text as "trackId"`;

export class RunsRepository {
  readonly pool: Pool;

  constructor(pool: Pool) {
    this.pool = pool;
  }

  /** The runs with hits or tracks in PostgreSQL, by run id; only `runId` when given. */
  async runs(env: string, tenant: string, runId: string | null = null): Promise<StoredRun[]> {
    const { rows } = await this.pool.query<StoredRun>(
      `with hits as (
         select run_id, count(*)::int as hits, count(*) filter (where label = 'signal')::int as signal_hits,
                count(*) filter (where label = 'noise')::int as noise_hits, min(time_ns)::text as first_time_ns,
                max(time_ns)::text as last_time_ns
           from rich_hits where env = $1 and tenant = $2 and ($3::text is null or run_id = $3) group by run_id
       ), rings as (
         select run_id, count(*)::int as tracks, count(*) filter (where found)::int as rings_found
           from rich_rings where env = $1 and tenant = $2 and ($3::text is null or run_id = $3) group by run_id
       )
       select run_id as "runId", coalesce(hits.hits, 0) as hits, coalesce(hits.signal_hits, 0) as "signalHits",
              coalesce(hits.noise_hits, 0) as "noiseHits", hits.first_time_ns as "firstTimeNs", hits.last_time_ns as "lastTimeNs",
              coalesce(rings.tracks, 0) as tracks, coalesce(rings.rings_found, 0) as "ringsFound"
         from hits full join rings using (run_id)
        order by run_id collate "C"`,
      [env, tenant, runId],
    );
    return rows;
  }

  /** Whether the run has a hit or a track. */
  async exists(env: string, tenant: string, runId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ found: boolean }>(
      `select exists (select 1 from rich_rings where env = $1 and tenant = $2 and run_id = $3)
           or exists (select 1 from rich_hits where env = $1 and tenant = $2 and run_id = $3) as found`,
      [env, tenant, runId],
    );
    return rows[0]!.found;
  }

  /** Tracks and found rings of a run, with the found rings' mean, smallest and largest radius and mean hits. */
  async ringSummary(env: string, tenant: string, runId: string): Promise<RingSummary> {
    const { rows } = await this.pool.query<RingSummary>(
      `select count(*)::int as tracks, count(*) filter (where found)::int as found,
              avg(radius) filter (where found) as "meanRadiusMm", min(radius) filter (where found) as "minRadiusMm",
              max(radius) filter (where found) as "maxRadiusMm", (avg(hits) filter (where found))::float8 as "meanHits",
              avg(cherenkov_angle) filter (where found) as "meanCherenkovAngle", avg(beta) filter (where found) as "meanBeta"
         from rich_rings where env = $1 and tenant = $2 and run_id = $3`,
      [env, tenant, runId],
    );
    return rows[0]!;
  }

  /** Up to `limit` tracks of a run after track `after`, by track id; only found (or not found) ones when asked. */
  async rings(env: string, tenant: string, runId: string, options: { after: string | null; limit: number; found?: boolean }): Promise<Ring[]> {
    const { rows } = await this.pool.query<Ring>(
      `select ${RING_COLUMNS} from rich_rings
        where env = $1 and tenant = $2 and run_id = $3 and ($4::bigint is null or track_id > $4) and ($5::boolean is null or found = $5)
        order by track_id limit $6`,
      [env, tenant, runId, options.after, options.found ?? null, options.limit],
    );
    return rows;
  }

  async ring(env: string, tenant: string, runId: string, trackId: string): Promise<Ring | null> {
    const { rows } = await this.pool.query<Ring>(
      `select ${RING_COLUMNS} from rich_rings where env = $1 and tenant = $2 and run_id = $3 and track_id = $4`,
      [env, tenant, runId, trackId],
    );
    return rows[0] ?? null;
  }

  /** The hits the ring filter gave to a track, in time order. */
  async trackHits(env: string, tenant: string, runId: string, trackId: string): Promise<Hit[]> {
    const { rows } = await this.pool.query<Hit>(
      `select ${HIT_COLUMNS} from rich_hits where env = $1 and tenant = $2 and run_id = $3 and track_id = $4
        order by time_ns, ix, iy`,
      [env, tenant, runId, trackId],
    );
    return rows;
  }

  /** Up to `limit` hits of a run with fromNs ≤ time_ns ≤ toNs, in time order. */
  async hits(env: string, tenant: string, runId: string, fromNs: string, toNs: string, limit: number): Promise<Hit[]> {
    const { rows } = await this.pool.query<Hit>(
      `select ${HIT_COLUMNS} from rich_hits where env = $1 and tenant = $2 and run_id = $3 and time_ns between $4 and $5
        order by time_ns, ix, iy limit $6`,
      [env, tenant, runId, fromNs, toNs, limit],
    );
    return rows;
  }
}
