package dev.iotplatform.flink.functions.transit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Test support: the {@code transport.trips.v1} records of a static GTFS folder, as the blueprint's loader publishes
 * them (docs/transport-data-contract.md), so that DETECT_ARRIVALS can be fed from the same feed as the reference.
 */
final class GtfsTripRecords {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter BASIC = DateTimeFormatter.BASIC_ISO_DATE;

    private GtfsTripRecords() {}

    /** tripId → record JSON, in trips.txt order. */
    static Map<String, String> read(Path feed) throws IOException {
        List<Map<String, String>> agencies = table(feed, "agency.txt");
        Map<String, String> zones = new HashMap<>();
        for (Map<String, String> a : agencies) zones.put(a.getOrDefault("agency_id", ""), a.get("agency_timezone"));
        String onlyAgency = agencies.size() == 1 ? agencies.get(0).getOrDefault("agency_id", "") : null;
        Map<String, String> agencyOfRoute = new HashMap<>();
        for (Map<String, String> r : table(feed, "routes.txt")) {
            String agency = r.getOrDefault("agency_id", "");
            agencyOfRoute.put(r.get("route_id"), agency.isEmpty() ? onlyAgency : agency);
        }
        Map<String, double[]> stops = new HashMap<>();
        for (Map<String, String> s : table(feed, "stops.txt")) {
            if (s.getOrDefault("stop_lat", "").isEmpty()) continue;
            stops.put(s.get("stop_id"), new double[] {Double.parseDouble(s.get("stop_lat")), Double.parseDouble(s.get("stop_lon"))});
        }
        Map<String, List<double[]>> shapes = new HashMap<>(); // sequence, lat, lon
        for (Map<String, String> p : table(feed, "shapes.txt")) {
            shapes.computeIfAbsent(p.get("shape_id"), k -> new ArrayList<>()).add(new double[] {
                Double.parseDouble(p.get("shape_pt_sequence")), Double.parseDouble(p.get("shape_pt_lat")), Double.parseDouble(p.get("shape_pt_lon"))});
        }
        shapes.values().forEach(points -> points.sort((a, b) -> Double.compare(a[0], b[0])));
        Map<String, TreeSet<LocalDate>> dates = new HashMap<>();
        for (Map<String, String> c : table(feed, "calendar.txt")) {
            TreeSet<LocalDate> set = dates.computeIfAbsent(c.get("service_id"), k -> new TreeSet<>());
            LocalDate end = LocalDate.parse(c.get("end_date"), BASIC);
            for (LocalDate d = LocalDate.parse(c.get("start_date"), BASIC); !d.isAfter(end); d = d.plusDays(1)) {
                if ("1".equals(c.get(dayColumn(d.getDayOfWeek())))) set.add(d);
            }
        }
        for (Map<String, String> e : table(feed, "calendar_dates.txt")) {
            TreeSet<LocalDate> set = dates.computeIfAbsent(e.get("service_id"), k -> new TreeSet<>());
            LocalDate d = LocalDate.parse(e.get("date"), BASIC);
            if ("1".equals(e.get("exception_type"))) set.add(d);
            if ("2".equals(e.get("exception_type"))) set.remove(d);
        }
        Map<String, List<Map<String, String>>> stopTimes = new HashMap<>();
        for (Map<String, String> st : table(feed, "stop_times.txt")) stopTimes.computeIfAbsent(st.get("trip_id"), k -> new ArrayList<>()).add(st);
        Map<String, List<Map<String, String>>> frequencies = new HashMap<>();
        for (Map<String, String> f : table(feed, "frequencies.txt")) frequencies.computeIfAbsent(f.get("trip_id"), k -> new ArrayList<>()).add(f);

        Map<String, String> records = new LinkedHashMap<>();
        for (Map<String, String> t : table(feed, "trips.txt")) {
            String agency = agencyOfRoute.get(t.get("route_id"));
            ObjectNode trip = JSON.createObjectNode();
            trip.put("tripId", t.get("trip_id"));
            trip.put("routeId", t.get("route_id"));
            trip.put("serviceId", t.get("service_id"));
            trip.put("agencyId", agency);
            trip.put("timeZone", zones.get(agency));
            String shapeId = t.getOrDefault("shape_id", "");
            trip.put("shapeId", shapeId.isEmpty() ? null : shapeId);
            ArrayNode shape = trip.putArray("shape");
            for (double[] p : shapes.getOrDefault(shapeId, List.of())) shape.addArray().add(p[1]).add(p[2]);
            ArrayNode stopArray = trip.putArray("stops");
            List<Map<String, String>> times = new ArrayList<>(stopTimes.getOrDefault(t.get("trip_id"), List.of()));
            times.sort((a, b) -> Integer.compare(Integer.parseInt(a.get("stop_sequence")), Integer.parseInt(b.get("stop_sequence"))));
            for (Map<String, String> st : times) {
                double[] at = stops.get(st.get("stop_id"));
                ObjectNode s = stopArray.addObject();
                s.put("stopId", st.get("stop_id"));
                s.put("stopSequence", Integer.parseInt(st.get("stop_sequence")));
                s.put("lat", at[0]);
                s.put("lon", at[1]);
                s.put("arrivalSeconds", seconds(st.get("arrival_time")));
                s.put("departureSeconds", seconds(st.get("departure_time")));
            }
            ArrayNode freq = trip.putArray("frequencies");
            for (Map<String, String> f : frequencies.getOrDefault(t.get("trip_id"), List.of())) {
                freq.addObject().put("startSeconds", seconds(f.get("start_time"))).put("endSeconds", seconds(f.get("end_time")))
                        .put("headwaySeconds", Integer.parseInt(f.get("headway_secs"))).put("exactTimes", "1".equals(f.get("exact_times")));
            }
            ArrayNode serviceDates = trip.putArray("serviceDates");
            for (LocalDate d : dates.getOrDefault(t.get("service_id"), new TreeSet<>())) serviceDates.add(d.toString());
            records.put(t.get("trip_id"), JSON.writeValueAsString(trip));
        }
        return records;
    }

    private static String dayColumn(DayOfWeek day) {
        return day.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static Integer seconds(String time) {
        return time == null || time.isEmpty() ? null : ServiceDay.gtfsSeconds(time);
    }

    /** A GTFS table as rows of column → value (quoted fields, a byte-order mark, spaces around header names); [] when absent. */
    static List<Map<String, String>> table(Path feed, String name) throws IOException {
        Path file = feed.resolve(name);
        if (!Files.exists(file)) return List.of();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<List<String>> records = csv(text);
        List<Map<String, String>> rows = new ArrayList<>();
        if (records.isEmpty()) return rows;
        List<String> header = records.get(0).stream().map(String::trim).toList();
        for (List<String> record : records.subList(1, records.size())) {
            if (record.size() == 1 && record.get(0).isEmpty()) continue;
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.size() && i < record.size(); i++) row.put(header.get(i), record.get(i).trim());
            rows.add(row);
        }
        return rows;
    }

    private static List<List<String>> csv(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') field.append(text.charAt(++i));
                else if (c == '"') quoted = false;
                else field.append(c);
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
                record.add(field.toString());
                field.setLength(0);
                records.add(record);
                record = new ArrayList<>();
            } else {
                field.append(c);
            }
        }
        if (field.length() > 0 || !record.isEmpty()) {
            record.add(field.toString());
            records.add(record);
        }
        return records;
    }
}
