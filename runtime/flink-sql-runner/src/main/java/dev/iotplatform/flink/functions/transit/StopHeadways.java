package dev.iotplatform.flink.functions.transit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.table.annotation.ArgumentHint;
import org.apache.flink.table.annotation.ArgumentTrait;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.StateHint;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.types.Row;

/**
 * Headways of frequency trips with exact_times=0: the seconds since the previous vehicle's arrival at the same stop
 * of the same route, in arrival-time order whatever order the arrivals come in.
 *
 * <pre>{@code
 * SELECT * FROM STOP_HEADWAYS(arrivals => TABLE detected PARTITION BY (routeId, stopId))
 * }</pre>
 *
 * <p>Input: DETECT_ARRIVALS' output. Output: routeId, stopId, then agencyId, tripId, vehicleId, serviceDate,
 * stopSequence, arrivalTime, scheduledArrivalTime, delaySeconds, onTime, headwaySeconds: every input row, with its
 * headway when headwayBased (NULL for the first arrival known at the stop, and for every other row). An arrival that
 * comes in between two known ones also changes its successor's headway: the successor comes out again with the new
 * value (an upsert on the arrival's key). An arrival for a key already known (agencyId, tripId, serviceDate,
 * stopSequence) replaces it. The newest {@link #KEPT} arrivals are kept per route and stop.
 */
@DataTypeHint("ROW<agencyId STRING, tripId STRING, vehicleId STRING, serviceDate STRING, stopSequence INT, arrivalTime BIGINT,"
        + " scheduledArrivalTime BIGINT, delaySeconds INT, onTime BOOLEAN, headwaySeconds INT>")
public class StopHeadways extends ProcessTableFunction<Row> {
    static final int KEPT = 200;

    /** A headway-based arrival at this route's stop. */
    public static class Arrival {
        public String agencyId;
        public String tripId;
        public String vehicleId;
        public String serviceDate;
        public int stopSequence;
        public long arrivalTime;

        boolean sameKey(Arrival o) {
            return Objects.equals(agencyId, o.agencyId) && Objects.equals(tripId, o.tripId)
                    && Objects.equals(serviceDate, o.serviceDate) && stopSequence == o.stopSequence;
        }
    }

    /** The known arrivals in arrival-time order (ties: trip, service date, stop sequence). */
    public static class Recent {
        public Arrival[] arrivals;
    }

    private static final Comparator<Arrival> ORDER = Comparator.<Arrival>comparingLong(a -> a.arrivalTime)
            .thenComparing(a -> a.tripId, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(a -> a.serviceDate, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingInt(a -> a.stopSequence);

    public void eval(@StateHint(ttl = "0") Recent recent, @ArgumentHint(name = "arrivals", value = {ArgumentTrait.SET_SEMANTIC_TABLE}) Row in) {
        if (!Boolean.TRUE.equals(in.getFieldAs("headwayBased"))) {
            collect(out(in, null));
            return;
        }
        Arrival a = new Arrival();
        a.agencyId = in.getFieldAs("agencyId");
        a.tripId = in.getFieldAs("tripId");
        a.vehicleId = in.getFieldAs("vehicleId");
        a.serviceDate = in.getFieldAs("serviceDate");
        a.stopSequence = in.<Integer>getFieldAs("stopSequence");
        a.arrivalTime = in.<Long>getFieldAs("arrivalTime");
        List<Arrival> list = new ArrayList<>(recent.arrivals == null ? List.of() : Arrays.asList(recent.arrivals));
        Set<Arrival> changed = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            if (!list.get(i).sameKey(a)) continue;
            list.remove(i);
            if (i < list.size()) changed.add(list.get(i)); // its successor now follows another arrival
            break;
        }
        int at = 0;
        while (at < list.size() && ORDER.compare(list.get(at), a) < 0) at++;
        list.add(at, a);
        if (at + 1 < list.size()) changed.add(list.get(at + 1));
        if (list.size() > KEPT) list = new ArrayList<>(list.subList(list.size() - KEPT, list.size()));
        recent.arrivals = list.toArray(new Arrival[0]);
        collect(out(in, headway(list, a)));
        for (Arrival c : changed) {
            int i = list.indexOf(c);
            if (i > 0) collect(Row.of(c.agencyId, c.tripId, c.vehicleId, c.serviceDate, c.stopSequence, c.arrivalTime,
                    null, null, null, headway(list, c)));
        }
    }

    private static Integer headway(List<Arrival> list, Arrival a) {
        int i = list.indexOf(a);
        return i <= 0 ? null : (int) ((a.arrivalTime - list.get(i - 1).arrivalTime) / 1000);
    }

    private static Row out(Row in, Integer headway) {
        return Row.of(in.getField("agencyId"), in.getField("tripId"), in.getField("vehicleId"), in.getField("serviceDate"),
                in.getField("stopSequence"), in.getField("arrivalTime"), in.getField("scheduledArrivalTime"),
                in.getField("delaySeconds"), in.getField("onTime"), headway);
    }
}
