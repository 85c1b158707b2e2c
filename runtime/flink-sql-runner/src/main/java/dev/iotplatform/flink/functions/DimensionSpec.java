package dev.iotplatform.flink.functions;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.table.functions.TableSemantics;
import org.apache.flink.table.types.DataType;

/**
 * The {@code dimensions} argument of {@link EnrichAsOf}, {@code 'location: lat, lon; state: rssi, online'}, checked
 * against the events table: each dimension's name and the columns its versions fill in a fact.
 */
final class DimensionSpec {
    /** The events table's columns, which of them it is partitioned by, and its on_time column (or null). */
    record Input(List<String> columns, List<String> partitionColumns, String timeColumn) {
        static Input of(TableSemantics events) {
            List<String> names = DataType.getFieldNames(events.dataType());
            List<String> partition = new ArrayList<>();
            for (int i : events.partitionByColumns()) partition.add(names.get(i));
            return new Input(names, partition, OnTime.tableColumn(events));
        }
    }

    final List<String> names = new ArrayList<>();
    final List<List<String>> columns = new ArrayList<>();
    /** The output columns in input order: every column except the partition columns, kind, version_ts and on_time. */
    final List<String> outputColumns = new ArrayList<>();
    /** The on_time column (the time a row entered the platform), or null. */
    String timeColumn;

    int indexOf(String kind) {
        return kind == null ? -1 : names.indexOf(kind);
    }

    static DimensionSpec parse(String text, Input input) {
        for (String required : List.of(EnrichAsOf.KIND, EnrichAsOf.TIME)) {
            if (!input.columns().contains(required)) {
                throw new IllegalArgumentException("the events table has no column " + required
                        + " (kind: the dimension's name on its versions; version_ts: the row's event time)");
            }
        }
        DimensionSpec spec = new DimensionSpec();
        spec.timeColumn = input.timeColumn();
        for (String column : input.columns()) {
            if (!input.partitionColumns().contains(column) && !column.equals(EnrichAsOf.KIND) && !column.equals(EnrichAsOf.TIME)
                    && !column.equals(input.timeColumn())) {
                spec.outputColumns.add(column);
            }
        }
        Set<String> claimed = new LinkedHashSet<>();
        for (String part : text.split(";")) {
            if (part.isBlank()) continue;
            int colon = part.indexOf(':');
            String name = colon < 0 ? "" : part.substring(0, colon).trim();
            if (name.isEmpty()) throw new IllegalArgumentException("dimension '" + part.trim() + "' needs a name: 'name: column, column'");
            if (spec.names.contains(name)) throw new IllegalArgumentException("dimension " + name + " is declared twice");
            List<String> own = new ArrayList<>();
            for (String column : part.substring(colon + 1).split(",")) {
                String c = column.trim();
                if (c.isEmpty()) continue;
                if (!spec.outputColumns.contains(c)) {
                    throw new IllegalArgumentException("dimension " + name + ": column " + c + " is not an output column of the events table");
                }
                if (!claimed.add(c)) throw new IllegalArgumentException("column " + c + " belongs to two dimensions");
                own.add(c);
            }
            if (own.isEmpty()) throw new IllegalArgumentException("dimension " + name + " names no columns");
            spec.names.add(name);
            spec.columns.add(own);
        }
        if (spec.names.isEmpty()) throw new IllegalArgumentException("no dimension declared: 'name: column, column; …'");
        return spec;
    }
}
