package dev.iotplatform.flink.functions.transit;

import static dev.iotplatform.flink.functions.OrderedEvents.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.iotplatform.flink.functions.OrderedEvents;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/**
 * DETECT_ARRIVALS and STOP_HEADWAYS on a real Flink (MiniCluster), with arrival rows computed by hand.
 *
 * <p>The trips run due north along the meridian 122° W from 37.000° N, stops every 0.010° (about 1,110 m). Along
 * a meridian the distance grows with latitude almost linearly (the departure over 0.05° is a few millionths), so
 * the fraction of the way between two samples is the fraction of their latitude difference, to a millisecond.
 * Restart safety: every piece of progress (trip record, per-vehicle run, waiting positions, recent arrivals) is
 * Flink keyed state, so it is checkpointed and restored with the job; there is no other memory than a cache of
 * parsed trips rebuilt from that state.
 */
class DetectArrivalsTest {
    private static final String ZONE = "America/Los_Angeles";

    /** A trips.v1 record: stops at 37.000, 37.010, ... with the given GTFS arrival times (departure = arrival). */
    static String trip(String tripId, String routeId, String shape, String frequencies, String serviceDates, Integer... arrivals) {
        StringBuilder stops = new StringBuilder();
        for (int i = 0; i < arrivals.length; i++) {
            if (i > 0) stops.append(',');
            stops.append(String.format(Locale.ROOT,
                    "{\"stopId\":\"%s-S%d\",\"stopSequence\":%d,\"lat\":%.3f,\"lon\":-122.0,\"arrivalSeconds\":%s,\"departureSeconds\":%s}",
                    routeId, i + 1, (i + 1) * 10, 37.0 + 0.01 * i, arrivals[i], arrivals[i]));
        }
        return String.format("{\"tripId\":\"%s\",\"routeId\":\"%s\",\"serviceId\":\"S\",\"agencyId\":\"A\",\"timeZone\":\"%s\","
                + "\"shapeId\":null,\"shape\":%s,\"stops\":[%s],\"frequencies\":%s,\"serviceDates\":%s}",
                tripId, routeId, ZONE, shape, stops, frequencies, serviceDates);
    }

    static String tripRow(String tripId, String json) {
        return row("kind", "trip", "tripId", tripId, "trip", json);
    }

    static String position(String tripId, String vehicle, double lat, String utc, String startDate) {
        return row("kind", "position", "tripId", tripId, "vehicleId", vehicle, "latitude", lat, "longitude", -122.0,
                "timestampMs", Instant.parse(utc).toEpochMilli(), "startDate", startDate);
    }

    private static List<String> run(String query, String... events) throws Exception {
        return OrderedEvents.query("events", "kind STRING, tripId STRING, trip STRING, vehicleId STRING, latitude DOUBLE,"
                        + " longitude DOUBLE, timestampMs BIGINT, startDate STRING, startTime STRING", List.of(events),
                "CREATE TEMPORARY VIEW detected AS SELECT * FROM DETECT_ARRIVALS(events => TABLE events PARTITION BY tripId)",
                query).stream().map(DetectArrivalsTest::format).toList();
    }

    private static List<String> arrivals(String... events) throws Exception {
        return run("SELECT tripId, vehicleId, serviceDate, stopId, stopSequence, arrivalTime, scheduledArrivalTime, delaySeconds,"
                + " onTime FROM detected", events);
    }

    /** trip vehicle serviceDate stop#seq arrival(UTC) scheduled(UTC) delay onTime; ms printed only when not whole seconds. */
    private static String format(Row r) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < r.getArity(); i++) {
            Object v = r.getField(i);
            if (i > 0) s.append(' ');
            s.append(v instanceof Long ms && ms > 1_000_000_000_000L ? Instant.ofEpochMilli(ms).toString() : String.valueOf(v));
        }
        return s.toString();
    }

    private static final String WEEKDAY = "[\"2026-03-10\"]";

    @Test
    void twoStopsBetweenTwoSamplesFirstSampleUnobservedASampleBehindIgnoredAndAPositionThatCameBeforeItsTrip() throws Exception {
        List<String> rows = arrivals(
                // V2's positions come before their trip's record: they wait for it
                position("T2", "V2", 37.005, "2026-03-10T15:00:00Z", "20260310"),
                position("T2", "V2", 37.015, "2026-03-10T15:02:00Z", "20260310"),
                tripRow("T1", trip("T1", "R1", "[]", "[]", WEEKDAY, 28800, 28920, 29040, 29160, 29280)),
                // first sample between S2 and S3: S1 and S2 are not observed
                position("T1", "V1", 37.015, "2026-03-10T15:04:00Z", "20260310"),
                // 320 s later at 37.035: S3 at 1/4 (+80 s), S4 at 3/4 (+240 s)
                position("T1", "V1", 37.035, "2026-03-10T15:09:20Z", "20260310"),
                // behind the last sample: ignored
                position("T1", "V1", 37.030, "2026-03-10T15:10:00Z", "20260310"),
                // past the last stop: a trip without a shape ends at its last stop, so the sample projects onto
                // S5 (s_k = s2), arrived at the sample's time
                position("T1", "V1", 37.045, "2026-03-10T15:20:20Z", "20260310"),
                // no trip: ignored
                position(null, "V9", 37.0, "2026-03-10T15:20:20Z", "20260310"),
                // T2 has a shape (beyond the first and last stop, with extra points); its waiting positions pass S2
                tripRow("T2", trip("T2", "R1", "[[36.99,-122.0],[37.0,-122.0],[37.012,-122.0],[37.03,-122.0],[37.05,-122.0]]", "[]",
                        WEEKDAY, 28800, 28920, 29040, 29160, 29280)));
        assertEquals(List.of(
                "T1 V1 2026-03-10 R1-S3 30 2026-03-10T15:05:20Z 2026-03-10T15:04:00Z 80 true",
                "T1 V1 2026-03-10 R1-S4 40 2026-03-10T15:08:00Z 2026-03-10T15:06:00Z 120 true",
                "T1 V1 2026-03-10 R1-S5 50 2026-03-10T15:20:20Z 2026-03-10T15:08:00Z 740 false",
                // S2 (37.010) halfway between 37.005 and 37.015: 15:01:00, scheduled 08:02 PDT
                "T2 V2 2026-03-10 R1-S2 20 2026-03-10T15:01:00Z 2026-03-10T15:02:00Z -60 true"),
                rows);
    }

    @Test
    void aTripPastMidnightWithoutStartDateBelongsToYesterday() throws Exception {
        // runs both days; at 01:05 PDT on the 11th, the 10th's run (00:50-01:20 on the 11th) is the nearest
        String dates = "[\"2026-03-10\",\"2026-03-11\"]";
        List<String> rows = arrivals(
                tripRow("T3", trip("T3", "R3", "[]", "[]", dates, 89400, 90000, 90600, 91200)),
                position("T3", "V3", 37.015, "2026-03-11T08:05:00Z", null),
                position("T3", "V3", 37.025, "2026-03-11T08:11:40Z", null));
        // S3 at 25:10:00 of 2026-03-10 = 01:10 PDT on the 11th = 08:10:00Z; arrived halfway, 08:08:20Z
        assertEquals(List.of("T3 V3 2026-03-10 R3-S3 30 2026-03-11T08:08:20Z 2026-03-11T08:10:00Z -100 false"), rows);
    }

    @Test
    void scheduledTimesCountFromNoonMinus12HoursOnBothDaylightSavingChanges() throws Exception {
        List<String> rows = arrivals(
                // 2026-03-08, clocks go 02:00 PST → 03:00 PDT; noon PDT − 12 h = 23:00 PST on the 7th = 07:00Z,
                // so 01:30:00 is 08:30Z, 02:30:00 is 09:30Z (01:30 PST) and 03:30:00 is 10:30Z (03:30 PDT)
                tripRow("T4", trip("T4", "R4", "[]", "[]", "[\"2026-03-08\"]", 5400, 9000, 12600, 16200)),
                position("T4", "V4", 37.005, "2026-03-08T09:00:00Z", "20260308"),
                position("T4", "V4", 37.025, "2026-03-08T10:40:00Z", "20260308"),
                // 2026-11-01, clocks go 02:00 PDT → 01:00 PST; noon PST − 12 h = 01:00 PDT = 08:00Z, so 08:00:00 is
                // 16:00Z (08:00 PST); no startDate: the 1st (today) is nearer than October 31st
                tripRow("T5", trip("T5", "R5", "[]", "[]", "[\"2026-10-31\",\"2026-11-01\"]", 28800, 29400, 30000)),
                position("T5", "V5", 37.005, "2026-11-01T16:04:00Z", null),
                position("T5", "V5", 37.015, "2026-11-01T16:14:00Z", null));
        assertEquals(List.of(
                // S2 (37.010) at a quarter of 100 min: 09:25Z; S3 at three quarters: 10:15Z
                "T4 V4 2026-03-08 R4-S2 20 2026-03-08T09:25:00Z 2026-03-08T09:30:00Z -300 false",
                "T4 V4 2026-03-08 R4-S3 30 2026-03-08T10:15:00Z 2026-03-08T10:30:00Z -900 false",
                // S2 at 08:10:00 = 16:10Z; arrived halfway, 16:09:00Z
                "T5 V5 2026-11-01 R5-S2 20 2026-11-01T16:09:00Z 2026-11-01T16:10:00Z -60 true"),
                rows);
    }

    @Test
    void aTripThatRunsNeitherTodayNorYesterdayGivesNoArrival() throws Exception {
        assertEquals(List.of(), arrivals(
                tripRow("T6", trip("T6", "R6", "[]", "[]", "[\"2026-03-12\"]", 28800, 29400, 30000)),
                position("T6", "V6", 37.005, "2026-03-10T16:04:00Z", null),
                position("T6", "V6", 37.015, "2026-03-10T16:14:00Z", null)));
    }

    @Test
    void frequencyTripsWithoutExactTimesGetHeadwaysInArrivalOrderNotDelays() throws Exception {
        String every10min = "[{\"startSeconds\":21600,\"endSeconds\":72000,\"headwaySeconds\":600,\"exactTimes\":false}]";
        List<String> rows = run("SELECT tripId, vehicleId, serviceDate, stopId, stopSequence, arrivalTime, delaySeconds, headwaySeconds"
                        + " FROM STOP_HEADWAYS(arrivals => TABLE detected PARTITION BY (routeId, stopId))",
                tripRow("F1", trip("F1", "RF", "[]", every10min, WEEKDAY, 0, 120, 240)),
                tripRow("F2", trip("F2", "RF", "[]", every10min, WEEKDAY, 0, 120, 240)),
                tripRow("F3", trip("F3", "RF", "[]", every10min, WEEKDAY, 0, 120, 240)),
                // S2 (37.010) reached at 17:00:00Z by A, 17:10:30Z by B, and by C at 17:05:00Z, reported last
                position("F1", "A", 37.005, "2026-03-10T16:59:00Z", "20260310"),
                position("F1", "A", 37.015, "2026-03-10T17:01:00Z", "20260310"),
                position("F2", "B", 37.005, "2026-03-10T17:10:00Z", "20260310"),
                position("F2", "B", 37.015, "2026-03-10T17:11:00Z", "20260310"),
                position("F3", "C", 37.005, "2026-03-10T17:04:00Z", "20260310"),
                position("F3", "C", 37.015, "2026-03-10T17:06:00Z", "20260310"));
        assertEquals(List.of(
                "F1 A 2026-03-10 RF-S2 20 2026-03-10T17:00:00Z null null",
                "F2 B 2026-03-10 RF-S2 20 2026-03-10T17:10:30Z null 630",
                "F3 C 2026-03-10 RF-S2 20 2026-03-10T17:05:00Z null 300",
                // B now follows C: it comes out again with its new headway
                "F2 B 2026-03-10 RF-S2 20 2026-03-10T17:10:30Z null 330"),
                rows);
    }

    @Test
    void eachServiceDateIsANewRunAndRunsOfLongPastDatesAreForgotten() throws Exception {
        String dates = "[\"2026-03-10\",\"2026-03-11\",\"2026-03-16\"]";
        List<String> rows = arrivals(
                tripRow("T7", trip("T7", "R7", "[]", "[]", dates, 28800, 29400, 30000, 30600, 31200)),
                position("T7", "V7", 37.005, "2026-03-10T15:04:00Z", "20260310"),
                position("T7", "V7", 37.015, "2026-03-10T15:14:00Z", "20260310"),
                // the next day, the same vehicle on the same trip: a new run, whose first sample observes nothing
                position("T7", "V7", 37.025, "2026-03-11T15:24:00Z", "20260311"),
                position("T7", "V7", 37.035, "2026-03-11T15:34:00Z", "20260311"),
                // another vehicle's run five days later: V7's run of the 11th is forgotten
                position("T7", "V8", 37.005, "2026-03-16T15:04:00Z", "20260316"),
                // so V7's late sample of the 11th starts a run again instead of passing S5
                position("T7", "V7", 37.045, "2026-03-11T15:44:00Z", "20260311"));
        assertEquals(List.of(
                "T7 V7 2026-03-10 R7-S2 20 2026-03-10T15:09:00Z 2026-03-10T15:10:00Z -60 true",
                "T7 V7 2026-03-11 R7-S4 40 2026-03-11T15:29:00Z 2026-03-11T15:30:00Z -60 true"),
                rows);
    }

    @Test
    void eventsPartitionedByAnythingButTheTripAreRejected() {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> run(
                "SELECT * FROM DETECT_ARRIVALS(events => TABLE events PARTITION BY vehicleId)",
                position("T1", "V1", 37.005, "2026-03-10T15:04:00Z", "20260310")));
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) messages.append(t.getMessage()).append(" | ");
        org.junit.jupiter.api.Assertions.assertTrue(messages.toString().contains(
                "DETECT_ARRIVALS: events must be partitioned by tripId alone (events => TABLE t PARTITION BY tripId), not by [vehicleId]"),
                messages.toString());
    }
}
