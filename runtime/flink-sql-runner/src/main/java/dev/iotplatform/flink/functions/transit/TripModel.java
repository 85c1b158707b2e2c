package dev.iotplatform.flink.functions.transit;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One trip of the static feed as the arrival detector needs it, read from a {@code transport.trips.v1} record: its
 * stops with their distance along the trip's shape (the polyline through the stops when it has none), schedule and
 * service dates.
 */
public final class TripModel {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Stop(String stopId, int stopSequence, double lat, double lon, Integer arrivalSeconds, Integer departureSeconds) {
        /** The GTFS time the vehicle is due at the stop: its arrival time, else its departure time, else null. */
        Integer dueSeconds() {
            return arrivalSeconds != null ? arrivalSeconds : departureSeconds;
        }
    }

    public record Frequency(int startSeconds, int endSeconds, int headwaySeconds, boolean exactTimes) {}

    public final String tripId;
    public final String routeId;
    public final String agencyId;
    public final ZoneId zone;
    public final List<Stop> stops;
    public final List<Frequency> frequencies;
    public final Set<LocalDate> serviceDates;
    /** The distance along the shape of each stop (its own orthogonal projection), in stop order. */
    public final double[] stopAlong;
    private final GeodesicPolyline shape;

    private TripModel(String tripId, String routeId, String agencyId, ZoneId zone, List<Stop> stops,
            List<Frequency> frequencies, Set<LocalDate> serviceDates, GeodesicPolyline shape) {
        this.tripId = tripId;
        this.routeId = routeId;
        this.agencyId = agencyId;
        this.zone = zone;
        this.stops = stops;
        this.frequencies = frequencies;
        this.serviceDates = serviceDates;
        this.shape = shape;
        stopAlong = new double[stops.size()];
        for (int i = 0; i < stops.size(); i++) stopAlong[i] = shape.project(stops.get(i).lat(), stops.get(i).lon());
    }

    public double along(double lat, double lon) {
        return shape.project(lat, lon);
    }

    /** A frequency trip whose runs are not fixed to the second (exact_times=0): headways, no delays. */
    public boolean headwayBased() {
        return !frequencies.isEmpty() && frequencies.stream().noneMatch(Frequency::exactTimes);
    }

    /** Parses a {@code transport.trips.v1} value; a record the detector cannot use is an IllegalArgumentException naming the field. */
    public static TripModel parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("not a JSON object");
        String tripId = text(root, "tripId", true);
        String where = "trip " + tripId + ": ";
        ZoneId zone;
        try {
            zone = ZoneId.of(text(root, "timeZone", true));
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(where + "timeZone " + root.get("timeZone") + " is not an IANA time zone");
        }
        List<Stop> stops = new ArrayList<>();
        for (JsonNode s : array(root, "stops", where)) {
            stops.add(new Stop(text(s, "stopId", true), number(s, "stopSequence", where).intValue(),
                    number(s, "lat", where).doubleValue(), number(s, "lon", where).doubleValue(),
                    optionalInt(s, "arrivalSeconds"), optionalInt(s, "departureSeconds")));
        }
        List<Frequency> frequencies = new ArrayList<>();
        for (JsonNode f : optionalArray(root, "frequencies", where)) {
            frequencies.add(new Frequency(number(f, "startSeconds", where).intValue(), number(f, "endSeconds", where).intValue(),
                    number(f, "headwaySeconds", where).intValue(), f.path("exactTimes").asBoolean(false)));
        }
        Set<LocalDate> dates = new HashSet<>();
        for (JsonNode d : optionalArray(root, "serviceDates", where)) {
            try {
                dates.add(LocalDate.parse(d.asText()));
            } catch (DateTimeException e) {
                throw new IllegalArgumentException(where + "serviceDates holds " + d + ", not a YYYY-MM-DD date");
            }
        }
        List<double[]> points = new ArrayList<>();
        for (JsonNode p : optionalArray(root, "shape", where)) {
            if (!p.isArray() || p.size() != 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
                throw new IllegalArgumentException(where + "shape holds " + p + ", not a [lat, lon] pair");
            }
            points.add(new double[] {p.get(0).doubleValue(), p.get(1).doubleValue()});
        }
        if (points.isEmpty()) for (Stop s : stops) points.add(new double[] {s.lat(), s.lon()});
        double[] lats = new double[points.size()], lons = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            lats[i] = points.get(i)[0];
            lons[i] = points.get(i)[1];
        }
        return new TripModel(tripId, text(root, "routeId", false), text(root, "agencyId", false), zone, List.copyOf(stops),
                List.copyOf(frequencies), Set.copyOf(dates), new GeodesicPolyline(lats, lons));
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) throw new IllegalArgumentException("field " + field + " is missing");
            return null;
        }
        return v.asText();
    }

    private static Number number(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isNumber()) throw new IllegalArgumentException(where + "field " + field + " must be a number in " + node);
        return v.numberValue();
    }

    private static Integer optionalInt(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.intValue();
    }

    private static Iterable<JsonNode> array(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) throw new IllegalArgumentException(where + "field " + field + " must be an array");
        return v;
    }

    private static Iterable<JsonNode> optionalArray(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? List.of() : array(node, field, where);
    }
}
