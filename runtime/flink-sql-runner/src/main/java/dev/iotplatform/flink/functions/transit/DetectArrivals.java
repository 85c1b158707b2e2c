package dev.iotplatform.flink.functions.transit;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.annotation.ArgumentHint;
import org.apache.flink.table.annotation.ArgumentTrait;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.StateHint;
import org.apache.flink.table.api.dataview.MapView;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.types.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stop arrivals of vehicles on their trips, with their delay against the schedule (issue 12; the rules are those of
 * docs/transport-data-contract.md).
 *
 * <pre>{@code
 * SELECT * FROM DETECT_ARRIVALS(events => TABLE transit_events PARTITION BY tripId)
 * }</pre>
 *
 * <p>{@code events}: the trip reference records and the vehicle positions in one table (a UNION ALL), partitioned by
 * trip, so that each trip's record reaches the partition of its positions. Columns: {@code kind} STRING
 * ({@value #TRIP} for a {@code transport.trips.v1} record, anything else for a position), {@code tripId} STRING,
 * {@code trip} STRING (the record's JSON; NULL on a trip row is a tombstone: the trip left the feed),
 * {@code vehicleId} STRING, {@code latitude}, {@code longitude} DOUBLE, {@code timestampMs} BIGINT (the position's
 * time, epoch ms), {@code startDate} STRING (YYYYMMDD or NULL), {@code startTime} STRING (HH:MM:SS or NULL).
 * Optional: {@code on_time_from_seconds} (default -60), {@code on_time_to_seconds} (default 300).
 *
 * <p>Output, one row per observed arrival: tripId, then agencyId, routeId, vehicleId, serviceDate (YYYY-MM-DD),
 * stopId, stopSequence, arrivalTime (epoch ms, whole seconds), scheduledArrivalTime, delaySeconds, onTime and
 * headwayBased (a frequency trip with exact_times=0: no delay; STOP_HEADWAYS adds its headway).
 *
 * <p>Per trip and vehicle the function keeps, in Flink state (so a restart from a checkpoint or savepoint goes on
 * where it was), the run's service date and start time, the last sample's time and distance along the shape, and the
 * next stop to pass. A new run (first sample, or another service date or start time) observes no stop at or before
 * its first sample. A position whose trip record has not come yet waits for it, up to {@link #MAX_WAITING} per trip
 * (the oldest then go). Metrics: {@code unobservedStops}, {@code positionsBehind}, {@code positionsWithoutTrip}
 * (no tripId, vehicle, position or time; or pushed out while waiting for a trip that never came), {@code positionsOutOfService} (no service
 * date: the trip runs neither today nor yesterday), {@code tripsRejected} (a trip record that cannot be used).
 */
@DataTypeHint("ROW<agencyId STRING, routeId STRING, vehicleId STRING, serviceDate STRING, stopId STRING, stopSequence INT,"
        + " arrivalTime BIGINT, scheduledArrivalTime BIGINT, delaySeconds INT, onTime BOOLEAN, headwayBased BOOLEAN>")
public class DetectArrivals extends ProcessTableFunction<Row> {
    public static final String TRIP = "trip";
    static final int MAX_WAITING = 1000;
    /** A run is forgotten once its service date is this many days older than the newest run's of the trip. */
    static final int RUN_DAYS_KEPT = 2;
    static final int DEFAULT_ON_TIME_FROM = -60;
    static final int DEFAULT_ON_TIME_TO = 300;
    private static final int CACHED_TRIPS = 10_000;
    /**
     * The trip record's JSON sits in a map state under this one key: a map entry is read only when asked for (here:
     * when the parsed trip is not cached), where a value state would be converted on every position. It is kept
     * packed ({@link StateCompression}): the heap state backend writes every trip's record at every checkpoint, and a
     * record (shape, stops, service dates) is kilobytes of repetitive JSON.
     */
    private static final String RECORD_JSON = "json";
    private static final Logger LOG = LoggerFactory.getLogger(DetectArrivals.class);

    /** Which version of the trip record the partition holds (a fingerprint of its JSON), read on every position. */
    public static class TripVersion {
        public Long fingerprint;
        public boolean rejected;
    }

    /** A position that waits for its trip record. */
    public static class Position {
        public String vehicleId;
        public double latitude;
        public double longitude;
        public long timestampMs;
        public String startDate;
        public String startTime;
    }

    public static class Waiting {
        public Position[] positions;
    }

    /** One vehicle's run of the trip. */
    public static class VehicleRun {
        public String serviceDate;
        public String startTime;
        public long lastTimeMs;
        public double lastAlong;
        public int nextStop;
    }

    private record Cached(long fingerprint, TripModel trip) {}

    private transient Map<String, Cached> trips;
    private transient boolean partitionChecked;
    private transient Counter unobservedStops;
    private transient Counter positionsBehind;
    private transient Counter positionsWithoutTrip;
    private transient Counter positionsOutOfService;
    private transient Counter tripsRejected;

    @Override
    public void open(FunctionContext context) {
        trips = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > CACHED_TRIPS;
            }
        };
        unobservedStops = context.getMetricGroup().counter("unobservedStops");
        positionsBehind = context.getMetricGroup().counter("positionsBehind");
        positionsWithoutTrip = context.getMetricGroup().counter("positionsWithoutTrip");
        positionsOutOfService = context.getMetricGroup().counter("positionsOutOfService");
        tripsRejected = context.getMetricGroup().counter("tripsRejected");
    }

    public void eval(
            Context ctx,
            @StateHint(ttl = "0") TripVersion version,
            @StateHint(ttl = "0") MapView<String, String> record,
            @StateHint(ttl = "0") Waiting waiting,
            @StateHint(ttl = "0") MapView<String, VehicleRun> runs,
            @ArgumentHint(name = "events", value = {ArgumentTrait.SET_SEMANTIC_TABLE}) Row event,
            @ArgumentHint(name = "on_time_from_seconds", isOptional = true) Integer onTimeFrom,
            @ArgumentHint(name = "on_time_to_seconds", isOptional = true) Integer onTimeTo) throws Exception {
        if (!partitionChecked) checkPartitioning(ctx);
        String tripId = event.getFieldAs("tripId");
        OnTime onTime = new OnTime(onTimeFrom == null ? DEFAULT_ON_TIME_FROM : onTimeFrom, onTimeTo == null ? DEFAULT_ON_TIME_TO : onTimeTo);
        if (TRIP.equals(event.getFieldAs("kind"))) {
            onTripRecord(tripId, event.getFieldAs("trip"), version, record, waiting, runs, onTime);
            return;
        }
        Position p = new Position();
        p.vehicleId = event.getFieldAs("vehicleId");
        Double lat = event.getFieldAs("latitude"), lon = event.getFieldAs("longitude");
        Long time = event.getFieldAs("timestampMs");
        if (tripId == null || tripId.isEmpty() || p.vehicleId == null || lat == null || lon == null || time == null) {
            positionsWithoutTrip.inc();
            return;
        }
        p.latitude = lat;
        p.longitude = lon;
        p.timestampMs = time;
        p.startDate = event.getFieldAs("startDate");
        p.startTime = event.getFieldAs("startTime");
        TripModel trip = trip(tripId, version, record);
        if (trip == null) {
            if (version.rejected) positionsWithoutTrip.inc();
            else waitFor(waiting, p);
            return;
        }
        onPosition(trip, p, runs, onTime);
    }

    /** One partition must hold one trip: its record state would otherwise be overwritten by other trips'. */
    private void checkPartitioning(Context ctx) {
        var events = ctx.tableSemanticsFor("events");
        int[] by = events.partitionByColumns();
        java.util.List<String> names = org.apache.flink.table.types.DataType.getFieldNames(events.dataType());
        if (by.length != 1 || !"tripId".equals(names.get(by[0]))) {
            throw new IllegalArgumentException("DETECT_ARRIVALS: events must be partitioned by tripId alone"
                    + " (events => TABLE t PARTITION BY tripId), not by " + Arrays.stream(by).mapToObj(names::get).toList());
        }
        partitionChecked = true;
    }

    private void onTripRecord(String tripId, String json, TripVersion version, MapView<String, String> record, Waiting waiting,
            MapView<String, VehicleRun> runs, OnTime onTime) throws Exception {
        trips.remove(tripId);
        if (json == null) { // the trip left the feed
            version.fingerprint = null;
            version.rejected = false;
            record.remove(RECORD_JSON);
            runs.clear();
            return;
        }
        version.fingerprint = fingerprint(json);
        record.put(RECORD_JSON, StateCompression.pack(json));
        TripModel trip = trip(tripId, version, record);
        if (waiting.positions == null) return;
        Position[] held = waiting.positions;
        waiting.positions = null;
        if (trip == null) positionsWithoutTrip.inc(held.length);
        else for (Position p : held) onPosition(trip, p, runs, onTime);
    }

    private void onPosition(TripModel trip, Position p, MapView<String, VehicleRun> runs, OnTime onTime) throws Exception {
        LocalDate serviceDate;
        try {
            serviceDate = ServiceDay.of(trip, p.startDate, p.timestampMs);
        } catch (IllegalArgumentException e) {
            serviceDate = null;
        }
        if (serviceDate == null) {
            positionsOutOfService.inc();
            return;
        }
        String date = serviceDate.toString();
        String startTime = p.startTime == null ? "" : p.startTime;
        double along = trip.along(p.latitude, p.longitude);
        VehicleRun run = runs.get(p.vehicleId);
        int stops = trip.stopAlong.length;
        if (run == null || !date.equals(run.serviceDate) || !startTime.equals(run.startTime)) {
            forgetRunsBefore(runs, serviceDate.minusDays(RUN_DAYS_KEPT));
            run = new VehicleRun();
            run.serviceDate = date;
            run.startTime = startTime;
            int k = 0;
            while (k < stops && trip.stopAlong[k] <= along) k++;
            unobservedStops.inc(k);
            run.nextStop = k;
        } else {
            if (along < run.lastAlong || p.timestampMs < run.lastTimeMs) {
                positionsBehind.inc();
                return;
            }
            int k = run.nextStop;
            for (; k < stops && trip.stopAlong[k] <= along; k++) {
                if (trip.stopAlong[k] <= run.lastAlong) {
                    unobservedStops.inc();
                    continue;
                }
                double at = run.lastTimeMs + (trip.stopAlong[k] - run.lastAlong) / (along - run.lastAlong) * (p.timestampMs - run.lastTimeMs);
                long arrival = Math.round(at / 1000) * 1000;
                emit(trip, k, p, serviceDate, arrival, onTime);
            }
            run.nextStop = k;
        }
        run.lastAlong = along;
        run.lastTimeMs = p.timestampMs;
        runs.put(p.vehicleId, run);
    }

    /** Runs end without a sign; those of service dates long past go when another vehicle starts one, which bounds the state. */
    private static void forgetRunsBefore(MapView<String, VehicleRun> runs, LocalDate oldest) throws Exception {
        String limit = oldest.toString(); // ISO dates order as strings
        List<String> old = new ArrayList<>();
        for (Map.Entry<String, VehicleRun> e : runs.entries()) if (e.getValue().serviceDate.compareTo(limit) < 0) old.add(e.getKey());
        for (String vehicle : old) runs.remove(vehicle);
    }

    private void emit(TripModel trip, int k, Position p, LocalDate serviceDate, long arrival, OnTime onTime) {
        TripModel.Stop stop = trip.stops.get(k);
        Long scheduled;
        try {
            scheduled = ServiceDay.scheduledArrival(trip, k, serviceDate, p.startTime);
        } catch (IllegalArgumentException e) { // a malformed startTime: the arrival stands, its schedule is unknown
            scheduled = null;
        }
        Integer delay = scheduled == null ? null : (int) Math.floorDiv(arrival - scheduled, 1000L);
        collect(Row.of(trip.agencyId, trip.routeId, p.vehicleId, serviceDate.toString(), stop.stopId(), stop.stopSequence(),
                arrival, scheduled, delay, delay == null ? null : onTime.holds(delay), trip.headwayBased()));
    }

    private void waitFor(Waiting waiting, Position p) {
        Position[] held = waiting.positions == null ? new Position[0] : waiting.positions;
        if (held.length >= MAX_WAITING) {
            positionsWithoutTrip.inc();
            held = Arrays.copyOfRange(held, 1, held.length);
        }
        held = Arrays.copyOf(held, held.length + 1);
        held[held.length - 1] = p;
        waiting.positions = held;
    }

    /** The partition's trip, parsed once per version; null when it has none or its record cannot be used. */
    private TripModel trip(String tripId, TripVersion version, MapView<String, String> record) throws Exception {
        if (version.fingerprint == null || version.rejected) return null;
        Cached cached = trips.get(tripId);
        if (cached != null && cached.fingerprint() == version.fingerprint) return cached.trip();
        try {
            TripModel trip = TripModel.parse(StateCompression.unpack(record.get(RECORD_JSON)));
            trips.put(tripId, new Cached(version.fingerprint, trip));
            return trip;
        } catch (IllegalArgumentException e) {
            version.rejected = true;
            tripsRejected.inc();
            LOG.warn("DETECT_ARRIVALS: trip record {} rejected: {}", tripId, e.getMessage());
            return null;
        }
    }

    private static long fingerprint(String json) {
        return ((long) json.length() << 32) ^ (json.hashCode() & 0xffffffffL);
    }

    private record OnTime(int from, int to) {
        boolean holds(int delay) {
            return from <= delay && delay <= to;
        }
    }
}
