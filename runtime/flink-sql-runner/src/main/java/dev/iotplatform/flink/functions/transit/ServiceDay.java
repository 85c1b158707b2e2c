package dev.iotplatform.flink.functions.transit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** The GTFS service day: which day a vehicle's run belongs to, and the instants its schedule's times stand for. */
public final class ServiceDay {
    private static final DateTimeFormatter BASIC = DateTimeFormatter.BASIC_ISO_DATE;

    private ServiceDay() {}

    /**
     * The instant GTFS times of {@code date} count from: noon minus 12 h, local to {@code zone}; on the days clocks
     * change this is not midnight (23:00 or 01:00 local), which keeps times such as 08:00:00 at 08:00 local.
     */
    public static long dayStartMillis(LocalDate date, ZoneId zone) {
        return date.atTime(LocalTime.NOON).atZone(zone).toInstant().minusSeconds(12 * 3600).toEpochMilli();
    }

    /**
     * The service date of a position: the feed's start date ("YYYYMMDD") when it gives one; otherwise, of today and
     * yesterday (local to the trip's zone at the position's time) the date the trip runs on whose schedule lies
     * nearest the time (0 within it; today on a tie); null when it runs on neither.
     */
    public static LocalDate of(TripModel trip, String startDate, long timeMillis) {
        if (startDate != null && !startDate.isEmpty()) {
            try {
                return LocalDate.parse(startDate, BASIC);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("startDate " + startDate + " is not YYYYMMDD");
            }
        }
        LocalDate today = Instant.ofEpochMilli(timeMillis).atZone(trip.zone).toLocalDate();
        int[] span = scheduleSpan(trip);
        LocalDate best = null;
        long bestDistance = Long.MAX_VALUE;
        for (LocalDate candidate : new LocalDate[] {today, today.minusDays(1)}) {
            if (!trip.serviceDates.contains(candidate)) continue;
            long distance = 0;
            if (span != null) {
                long start = dayStartMillis(candidate, trip.zone);
                long first = start + span[0] * 1000L, last = start + span[1] * 1000L;
                distance = timeMillis < first ? first - timeMillis : timeMillis > last ? timeMillis - last : 0;
            }
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** The scheduled arrival (epoch ms) at stop {@code index}, or null: no time in the feed, or a headway-based trip. */
    public static Long scheduledArrival(TripModel trip, int index, LocalDate date, String startTime) {
        Integer due = trip.stops.get(index).dueSeconds();
        if (due == null || trip.headwayBased()) return null;
        long seconds = due;
        if (!trip.frequencies.isEmpty()) { // exact_times=1: the feed's start time picks the run; stop times are a template
            if (startTime == null || startTime.isEmpty()) return null;
            seconds = gtfsSeconds(startTime) + due - templateSpan(trip)[0];
        }
        return dayStartMillis(date, trip.zone) + seconds * 1000;
    }

    /** "H:MM:SS" (hours may pass 24) in seconds. */
    public static int gtfsSeconds(String time) {
        String[] parts = time.split(":");
        try {
            if (parts.length != 3) throw new NumberFormatException();
            return Integer.parseInt(parts[0]) * 3600 + Integer.parseInt(parts[1]) * 60 + Integer.parseInt(parts[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("startTime " + time + " is not HH:MM:SS");
        }
    }

    /** The earliest and latest time of the trip's stop times, or null when it has none. */
    static int[] templateSpan(TripModel trip) {
        int first = Integer.MAX_VALUE, last = Integer.MIN_VALUE;
        for (TripModel.Stop s : trip.stops) {
            for (Integer t : new Integer[] {s.arrivalSeconds(), s.departureSeconds()}) {
                if (t == null) continue;
                first = Math.min(first, t);
                last = Math.max(last, t);
            }
        }
        return first == Integer.MAX_VALUE ? null : new int[] {first, last};
    }

    /** The first and last scheduled second of the trip's day; a frequency trip's runs span its frequencies plus one run. */
    static int[] scheduleSpan(TripModel trip) {
        int[] span = templateSpan(trip);
        if (span == null || trip.frequencies.isEmpty()) return span;
        int duration = span[1] - span[0];
        int start = Integer.MAX_VALUE, end = Integer.MIN_VALUE;
        for (TripModel.Frequency f : trip.frequencies) {
            start = Math.min(start, f.startSeconds());
            end = Math.max(end, f.endSeconds());
        }
        return new int[] {start, end + duration};
    }
}
