package dev.iotplatform.flink.functions;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.types.Row;

/**
 * ENRICH_AS_OF's version rules on rows (the state layout before {@link PackedVersions}), the reference the packed
 * form is checked against.
 */
final class RowVersions {
    private RowVersions() {}

    /** The versions sorted by time, the new one after those of equal time; beyond {@link EnrichAsOf#MAX_VERSIONS} the oldest go. */
    static Row[] withVersion(Row[] versions, Row version, LocalDateTime time) {
        List<Row> list = new ArrayList<>(versions == null ? List.of() : Arrays.asList(versions));
        int at = list.size();
        while (at > 0 && timeOf(list.get(at - 1)).isAfter(time)) at--;
        list.add(at, version);
        return list.subList(Math.max(0, list.size() - EnrichAsOf.MAX_VERSIONS), list.size()).toArray(new Row[0]);
    }

    /** The latest version at or before {@code time}, or null. */
    static Row validAt(Row[] versions, LocalDateTime time) {
        if (versions == null) return null;
        for (int i = versions.length - 1; i >= 0; i--) if (!timeOf(versions[i]).isAfter(time)) return versions[i];
        return null;
    }

    private static LocalDateTime timeOf(Row row) {
        return row.getFieldAs(EnrichAsOf.TIME);
    }
}
