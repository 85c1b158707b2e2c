package dev.iotplatform.flink.functions;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.table.functions.TableSemantics;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.table.types.inference.StateTypeStrategy;
import org.apache.flink.table.types.inference.StaticArgument;
import org.apache.flink.table.types.inference.StaticArgumentTrait;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.types.Row;

/**
 * An event-time "as of" enrichment that never waits for a watermark: each fact row is emitted as soon as it
 * arrives, with the columns of each dimension taken from that dimension's version whose time is the latest at or
 * before the fact's (ties: the version that arrived last); a dimension without such a version leaves its columns
 * null. Flink's event-time temporal join gives the same answer but only once the watermark passes the fact, so
 * the last readings of a quiet stream would never come out.
 *
 * <pre>{@code
 * SELECT * FROM ENRICH_AS_OF(
 *   events => TABLE device_events PARTITION BY dim_key,
 *   dimensions => 'location: lat, lon; state: rssi, online')
 * }</pre>
 *
 * <p>{@code events}: facts and versions of one key in one table (a UNION ALL), with a {@code kind} column
 * (STRING: a dimension's name for its versions, anything else for a fact) and a {@code version_ts} column
 * (TIMESTAMP(3): the row's event time). Output: the PARTITION BY columns, then every other input column except
 * {@code kind} and {@code version_ts}, one row per fact. A version that arrives after a fact it precedes in event
 * time does not change that fact's row (it was emitted already); it serves later facts. Each dimension keeps the
 * versions of the last {@link #RETAINED} of event time before its newest, plus the one just before that window,
 * so facts up to that late still find the version valid at their time.
 */
public class EnrichAsOf extends ProcessTableFunction<Row> {
    static final String KIND = "kind";
    static final String TIME = "version_ts";
    static final Duration RETAINED = Duration.ofHours(1);

    private transient String parsedSpec;
    private transient DimensionSpec spec;

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        LinkedHashMap<String, StateTypeStrategy> state = new LinkedHashMap<>();
        state.put("versions", StateTypeStrategy.of(ctx -> Optional.of(versionsType(ctx))));
        return TypeInference.newBuilder()
                .staticArguments(
                        StaticArgument.table("events", Row.class, false,
                                EnumSet.of(StaticArgumentTrait.TABLE, StaticArgumentTrait.SET_SEMANTIC_TABLE)),
                        StaticArgument.scalar("dimensions", DataTypes.STRING(), false))
                .stateTypeStrategies(state)
                .outputTypeStrategy(ctx -> Optional.of(outputType(ctx)))
                .build();
    }

    public void eval(Context ctx, Row versions, Row event, String dimensions) {
        DimensionSpec dims = spec(ctx.tableSemanticsFor("events"), dimensions);
        String kind = event.getFieldAs(KIND);
        LocalDateTime time = event.getFieldAs(TIME);
        if (time == null) return;
        int dimension = dims.indexOf(kind);
        if (dimension >= 0) {
            versions.setField(dimension, withVersion((Row[]) versions.getField(dimension), event, time));
            return;
        }
        Row out = new Row(dims.outputColumns.size());
        for (int i = 0; i < dims.outputColumns.size(); i++) out.setField(i, event.getField(dims.outputColumns.get(i)));
        for (int d = 0; d < dims.names.size(); d++) {
            Row version = validAt((Row[]) versions.getField(d), time);
            if (version == null) continue;
            for (String column : dims.columns.get(d)) out.setField(dims.outputColumns.indexOf(column), version.getField(column));
        }
        collect(out);
    }

    /** The versions sorted by time, the new one after those of equal time, older ones beyond {@link #RETAINED} dropped. */
    static Row[] withVersion(Row[] versions, Row version, LocalDateTime time) {
        List<Row> list = new ArrayList<>(versions == null ? List.of() : Arrays.asList(versions));
        int at = list.size();
        while (at > 0 && timeOf(list.get(at - 1)).isAfter(time)) at--;
        list.add(at, version);
        LocalDateTime horizon = timeOf(list.get(list.size() - 1)).minus(RETAINED);
        int keepFrom = 0;
        while (keepFrom + 1 < list.size() && !timeOf(list.get(keepFrom + 1)).isAfter(horizon)) keepFrom++;
        return list.subList(keepFrom, list.size()).toArray(new Row[0]);
    }

    /** The latest version at or before {@code time}, or null. */
    static Row validAt(Row[] versions, LocalDateTime time) {
        if (versions == null) return null;
        for (int i = versions.length - 1; i >= 0; i--) if (!timeOf(versions[i]).isAfter(time)) return versions[i];
        return null;
    }

    private static LocalDateTime timeOf(Row row) {
        return row.getFieldAs(TIME);
    }

    private DimensionSpec spec(TableSemantics events, String dimensions) {
        if (!dimensions.equals(parsedSpec)) {
            spec = DimensionSpec.parse(dimensions, DimensionSpec.Input.of(events));
            parsedSpec = dimensions;
        }
        return spec;
    }

    private static DataType inputType(CallContext ctx) {
        TableSemantics events = ctx.getTableSemantics(0).orElseThrow(() -> ctx.newValidationError(
                "ENRICH_AS_OF: events must be a table argument (events => TABLE t PARTITION BY key)"));
        return events.dataType();
    }

    private static DimensionSpec specOf(CallContext ctx) {
        String dimensions = ctx.getArgumentValue(1, String.class).orElseThrow(() -> ctx.newValidationError(
                "ENRICH_AS_OF: dimensions must be a string literal such as 'location: lat, lon; state: online'"));
        try {
            return DimensionSpec.parse(dimensions, DimensionSpec.Input.of(ctx.getTableSemantics(0).orElseThrow()));
        } catch (IllegalArgumentException e) {
            throw ctx.newValidationError("ENRICH_AS_OF: %s", e.getMessage());
        }
    }

    private static DataType versionsType(CallContext ctx) {
        DataType input = inputType(ctx);
        DimensionSpec dims = specOf(ctx);
        DataType versionRow = input.bridgedTo(Row.class);
        List<DataTypes.Field> fields = new ArrayList<>();
        for (String name : dims.names) fields.add(DataTypes.FIELD(name, DataTypes.ARRAY(versionRow)));
        return DataTypes.ROW(fields.toArray(new DataTypes.Field[0])).bridgedTo(Row.class);
    }

    private static DataType outputType(CallContext ctx) {
        DataType input = inputType(ctx);
        DimensionSpec dims = specOf(ctx);
        List<String> names = DataType.getFieldNames(input);
        List<DataType> types = DataType.getFieldDataTypes(input);
        List<DataTypes.Field> fields = new ArrayList<>();
        for (String column : dims.outputColumns) {
            DataType type = types.get(names.indexOf(column));
            // a fact's dimension columns are null when no version is valid at its time
            fields.add(DataTypes.FIELD(column, type.getLogicalType().getTypeRoot() == LogicalTypeRoot.NULL ? type : type.nullable()));
        }
        return DataTypes.ROW(fields.toArray(new DataTypes.Field[0]));
    }
}
