package dev.iotplatform.flink.functions;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.dataview.ListView;
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
 * An event-time "as of" enrichment that never waits for later traffic: each fact row comes out with the columns of
 * each dimension taken from that dimension's version whose time is the latest at or before the fact's (ties: the
 * version that arrived last); a dimension without such a version leaves its columns null. Flink's event-time
 * temporal join gives the same answer, but only once the watermark of event time passes the fact, so the last
 * readings of a quiet stream would never come out.
 *
 * <pre>{@code
 * SELECT * FROM ENRICH_AS_OF(
 *   events => TABLE device_events PARTITION BY dim_key,
 *   on_time => DESCRIPTOR(read_at),
 *   dimensions => 'location: lat, lon; state: rssi, online')
 * }</pre>
 *
 * <p>{@code events}: facts and versions of one key in one table (a UNION ALL), with a {@code kind} column
 * (STRING: a dimension's name for its versions, {@value #CLOCK} for heartbeat rows that only bring time, anything
 * else for a fact) and a {@code version_ts} column (TIMESTAMP(3): the row's event time). Output: the PARTITION BY
 * columns, then every other input column except {@code kind}, {@code version_ts} and the on_time column, one row
 * per fact (and the framework's rowtime when on_time is given).
 *
 * <p>Facts and versions come from different streams (topics), which a consumer reads at different paces: a fast
 * replay can read a fact ahead of the versions published before it. With {@code on_time} on the time each row was
 * read (a wall-clock stamp whose watermark trails it by a hold, e.g. 2 s), a fact waits until the watermark passes
 * that moment, so every version read within the hold after it is applied; a heartbeat input on the wall clock keeps
 * time going when every stream is
 * idle. Without on_time a fact comes out as soon as it arrives. A version that enters after a fact it precedes in
 * event time serves later facts only. Each dimension keeps its newest {@link #MAX_VERSIONS} versions per key, so
 * facts that arrive out of order, late or replayed still find the version valid at their time.
 *
 * <p>State per key: {@value #PACKED}, one BYTES field per dimension holding its versions ({@link PackedVersions}:
 * the runtime converts every value entry whole on every call, which for an array of rows meant every field of every
 * version); {@value #WAITING}, the facts waiting for the watermark in arrival order, a {@link ListView} (list state:
 * a call converts only the facts it adds or reads, where an array of rows in a value entry was converted whole by
 * every call of the key, a version's too); {@value #WAITING_DIMENSIONS}, the dimensions argument while facts wait
 * (onTimer does not get it). These two have no TTL: each fact leaves when its timer fires, and the dimensions with
 * the last (under a TTL the dimensions, written only when they change, could expire while facts wait).
 * {@code versions} and {@code pending}, the layouts before (per dimension an array of rows: version_ts and its
 * columns; the dimensions and an array of the waiting facts), stay declared with their types so that earlier
 * checkpoints restore; a key's next call moves them into {@value #PACKED} and {@value #WAITING}. Declared,
 * {@code versions} also keeps Flink refusing a restore after a dimension's columns changed (their names and types
 * are in its type, not in the bytes' type). A dimension column must be of a type {@link PackedVersions} keeps, which
 * planning checks.
 */
public class EnrichAsOf extends ProcessTableFunction<Row> {
    static final String KIND = "kind";
    static final String CLOCK = "clock";
    static final String TIME = "version_ts";
    static final String PACKED = "packedVersions";
    static final String WAITING = "waitingFacts";
    static final String WAITING_DIMENSIONS = "waitingDimensions";
    /**
     * The newest versions kept per dimension and key: facts arrive out of event-time order (pairs joined on other
     * subtasks, replays, late data), so no time horizon is safe; a count bounds the state instead (with the job's
     * state TTL for keys that go silent). A heap state backend copies every version at every checkpoint, so the count
     * stays small and a version keeps only its time and its dimension's columns: at one report a second per device,
     * 64 versions still serve a fact a minute late.
     */
    static final int MAX_VERSIONS = 64;

    private transient String parsedSpec;
    private transient DimensionSpec spec;

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        LinkedHashMap<String, StateTypeStrategy> state = new LinkedHashMap<>();
        state.put("versions", StateTypeStrategy.of(ctx -> Optional.of(versionsType(ctx))));
        state.put("pending", StateTypeStrategy.of(ctx -> Optional.of(pendingType(ctx))));
        state.put(PACKED, StateTypeStrategy.of(ctx -> Optional.of(packedType(ctx))));
        state.put(WAITING, StateTypeStrategy.of(ctx -> Optional.of(waitingType(ctx)), Duration.ZERO));
        state.put(WAITING_DIMENSIONS, StateTypeStrategy.of(ctx -> Optional.of(waitingDimensionsType()), Duration.ZERO));
        return TypeInference.newBuilder()
                .staticArguments(
                        StaticArgument.table("events", Row.class, false,
                                EnumSet.of(StaticArgumentTrait.TABLE, StaticArgumentTrait.SET_SEMANTIC_TABLE)),
                        StaticArgument.scalar("dimensions", DataTypes.STRING(), false))
                .stateTypeStrategies(state)
                .outputTypeStrategy(ctx -> Optional.of(outputType(ctx)))
                .build();
    }

    public void eval(Context ctx, Row versions, Row pending, Row packed, ListView<Row> waiting, Row waitingDimensions, Row event,
            String dimensions) throws Exception {
        DimensionSpec dims = spec(ctx.tableSemanticsFor("events"), dimensions);
        migrate(dims, versions, packed);
        migrateWaiting(pending, waiting, waitingDimensions);
        String kind = event.getFieldAs(KIND);
        LocalDateTime time = event.getFieldAs(TIME);
        if (CLOCK.equals(kind) || time == null) return;
        int dimension = dims.indexOf(kind);
        if (dimension >= 0) {
            byte[] kept = (byte[]) packed.getField(dimension);
            packed.setField(dimension, PackedVersions.with(kept, time, valuesOf(event, dims.columns.get(dimension)), MAX_VERSIONS));
            return;
        }
        TimeContext<Instant> clock = ctx.timeContext(Instant.class);
        Instant entered = clock.time();
        Instant watermark = clock.currentWatermark();
        if (entered == null || (watermark != null && !entered.isAfter(watermark))) {
            collect(enriched(dims, packed, event));
            return;
        }
        waitingDimensions.setField(0, dimensions);
        waiting.add(event);
        clock.registerOnTime(entered);
    }

    /** The watermark passed the time facts entered: every input has read past them; out they come, in arrival order. */
    public void onTimer(OnTimerContext ctx, Row versions, Row pending, Row packed, ListView<Row> waiting, Row waitingDimensions)
            throws Exception {
        migrateWaiting(pending, waiting, waitingDimensions);
        String dimensions = waitingDimensions.getFieldAs(0);
        if (dimensions == null) return; // no fact waits
        DimensionSpec dims = spec(ctx.tableSemanticsFor("events"), dimensions);
        migrate(dims, versions, packed);
        for (Row fact : takeDue(waiting, waitingDimensions, dims.timeColumn, ctx.timeContext(Instant.class).time())) {
            collect(enriched(dims, packed, fact));
        }
    }

    /**
     * Takes the waiting facts whose on_time is at or before {@code now} out of {@code waiting}, in arrival order; the
     * others stay, in their order. With the last fact the dimensions go too.
     */
    static List<Row> takeDue(ListView<Row> waiting, Row waitingDimensions, String timeColumn, Instant now) throws Exception {
        List<Row> due = new ArrayList<>();
        List<Row> still = new ArrayList<>();
        for (Row fact : waiting.get()) (instantOf(fact.getField(timeColumn)).isAfter(now) ? still : due).add(fact);
        if (still.isEmpty()) {
            waiting.clear();
            waitingDimensions.setField(0, null);
        } else if (!due.isEmpty()) {
            waiting.setList(still); // list state removes no element but the whole list: clear, then add the rest
        }
        return due;
    }

    private static Row enriched(DimensionSpec dims, Row packed, Row fact) {
        LocalDateTime time = fact.getFieldAs(TIME);
        Row out = new Row(dims.outputColumns.size());
        for (int i = 0; i < dims.outputColumns.size(); i++) out.setField(i, fact.getField(dims.outputColumns.get(i)));
        for (int d = 0; d < dims.names.size(); d++) {
            byte[] versions = (byte[]) packed.getField(d);
            int valid = PackedVersions.validAt(versions, time);
            if (valid < 0) continue;
            Object[] values = PackedVersions.values(versions, valid);
            List<String> columns = dims.columns.get(d);
            for (int c = 0; c < columns.size(); c++) out.setField(dims.outputColumns.indexOf(columns.get(c)), values[c]);
        }
        return out;
    }

    /** What a version keeps besides its time: its dimension's columns (the rest of its row is nulls and keys). */
    private static Object[] valuesOf(Row row, List<String> columns) {
        Object[] values = new Object[columns.size()];
        for (int c = 0; c < values.length; c++) values[c] = row.getField(columns.get(c));
        return values;
    }

    /**
     * Moves a key's versions from state {@code versions}, the layout before {@value #PACKED}, into {@code packed}
     * and empties the old entry (a state row of nulls is dropped). Every call moves them before adding a version, so
     * a dimension with old versions has no packed ones yet.
     */
    static void migrate(DimensionSpec dims, Row versions, Row packed) {
        for (int d = 0; d < dims.names.size(); d++) {
            Row[] old = (Row[]) versions.getField(d);
            if (old == null) continue;
            packed.setField(d, pack(old, dims.columns.get(d)));
            versions.setField(d, null);
        }
    }

    /**
     * Moves a key's waiting facts from state {@code pending}, the layout before {@value #WAITING} (the dimensions and
     * an array of the facts in arrival order), into {@code waiting} and the dimensions into {@code waitingDimensions},
     * and empties the old entry (a state row of nulls is dropped). Every call moves them before adding a fact, so
     * they go ahead of every fact that came after them.
     */
    static void migrateWaiting(Row pending, ListView<Row> waiting, Row waitingDimensions) throws Exception {
        Row[] facts = (Row[]) pending.getField(1);
        if (facts != null) {
            waiting.addAll(Arrays.asList(facts));
            waitingDimensions.setField(0, pending.getField(0));
        }
        pending.setField(0, null);
        pending.setField(1, null);
    }

    /** One dimension's versions in the layout before (rows of version_ts and {@code columns}, sorted by time), packed. */
    static byte[] pack(Row[] versions, List<String> columns) {
        byte[] packed = null;
        for (Row version : versions) packed = PackedVersions.with(packed, timeOf(version), valuesOf(version, columns), MAX_VERSIONS);
        return packed;
    }

    /** An on_time value as an instant: TIMESTAMP_LTZ arrives as Instant, TIMESTAMP as LocalDateTime (UTC). */
    private static Instant instantOf(Object value) {
        return value instanceof LocalDateTime local ? local.toInstant(java.time.ZoneOffset.UTC) : (Instant) value;
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
        DimensionSpec.Input input = DimensionSpec.Input.of(ctx.getTableSemantics(0).orElseThrow());
        if (input.timeColumn() == null) input = new DimensionSpec.Input(input.columns(), input.partitionColumns(), OnTime.argumentColumn(ctx, 2));
        try {
            return DimensionSpec.parse(dimensions, input);
        } catch (IllegalArgumentException e) {
            throw ctx.newValidationError("ENRICH_AS_OF: %s", e.getMessage());
        }
    }

    /** The layout before {@value #PACKED}: declared for checkpoints taken with it to restore ({@link #migrate}). */
    private static DataType versionsType(CallContext ctx) {
        DataType input = inputType(ctx);
        DimensionSpec dims = specOf(ctx);
        List<String> names = DataType.getFieldNames(input);
        List<DataType> types = DataType.getFieldDataTypes(input);
        List<DataTypes.Field> fields = new ArrayList<>();
        for (int d = 0; d < dims.names.size(); d++) {
            List<DataTypes.Field> versionFields = new ArrayList<>();
            versionFields.add(DataTypes.FIELD(TIME, types.get(names.indexOf(TIME))));
            for (String column : dims.columns.get(d)) versionFields.add(DataTypes.FIELD(column, types.get(names.indexOf(column))));
            DataType versionRow = DataTypes.ROW(versionFields.toArray(new DataTypes.Field[0])).bridgedTo(Row.class);
            fields.add(DataTypes.FIELD(dims.names.get(d), DataTypes.ARRAY(versionRow)));
        }
        return DataTypes.ROW(fields.toArray(new DataTypes.Field[0])).bridgedTo(Row.class);
    }

    /** One BYTES field per dimension, named after it ({@link PackedVersions}). */
    private static DataType packedType(CallContext ctx) {
        DimensionSpec dims = specOf(ctx);
        List<DataTypes.Field> fields = new ArrayList<>();
        for (String dimension : dims.names) fields.add(DataTypes.FIELD(dimension, DataTypes.BYTES()));
        return DataTypes.ROW(fields.toArray(new DataTypes.Field[0])).bridgedTo(Row.class);
    }

    /** Refuses a dimension column whose type {@link PackedVersions} does not keep (from SQL validation on). */
    private static void refuseColumnsNotKept(CallContext ctx, DimensionSpec dims, List<String> names, List<DataType> types) {
        for (int d = 0; d < dims.names.size(); d++) {
            for (String column : dims.columns.get(d)) {
                DataType type = types.get(names.indexOf(column));
                if (PackedVersions.keeps(type.getLogicalType())) continue;
                throw ctx.newValidationError("ENRICH_AS_OF: dimension %s: column %s is of type %s, which a version cannot keep"
                        + " (it keeps CHAR, VARCHAR, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, DATE, TIME,"
                        + " TIMESTAMP, TIMESTAMP_LTZ, BINARY, VARBINARY)", dims.names.get(d), column, type);
            }
        }
    }

    /** The layout before {@value #WAITING}: declared for checkpoints taken with it to restore ({@link #migrateWaiting}). */
    private static DataType pendingType(CallContext ctx) {
        return DataTypes.ROW(
                DataTypes.FIELD("dimensions", DataTypes.STRING()),
                DataTypes.FIELD("facts", DataTypes.ARRAY(inputType(ctx).bridgedTo(Row.class)))).bridgedTo(Row.class);
    }

    private static DataType waitingType(CallContext ctx) {
        return ListView.newListViewDataType(inputType(ctx).bridgedTo(Row.class));
    }

    private static DataType waitingDimensionsType() {
        return DataTypes.ROW(DataTypes.FIELD("dimensions", DataTypes.STRING())).bridgedTo(Row.class);
    }

    private static DataType outputType(CallContext ctx) {
        DataType input = inputType(ctx);
        DimensionSpec dims = specOf(ctx);
        List<String> names = DataType.getFieldNames(input);
        List<DataType> types = DataType.getFieldDataTypes(input);
        refuseColumnsNotKept(ctx, dims, names, types);
        List<DataTypes.Field> fields = new ArrayList<>();
        for (String column : dims.outputColumns) {
            DataType type = types.get(names.indexOf(column));
            // a fact's dimension columns are null when no version is valid at its time
            fields.add(DataTypes.FIELD(column, type.getLogicalType().getTypeRoot() == LogicalTypeRoot.NULL ? type : type.nullable()));
        }
        return DataTypes.ROW(fields.toArray(new DataTypes.Field[0]));
    }
}
