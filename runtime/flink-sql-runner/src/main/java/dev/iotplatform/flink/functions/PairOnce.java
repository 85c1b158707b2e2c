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
import org.apache.flink.types.Row;

/**
 * Joins the rows of two kinds that share a key into one row, once, as soon as the second arrives, and then forgets
 * them. Flink's regular join gives the same pairs but keeps every row of both sides in state until its TTL, and a
 * heap state backend copies all of that at every checkpoint; here only rows still waiting for their partner are held.
 *
 * <pre>{@code
 * SELECT * FROM PAIR_ONCE(
 *   events => TABLE readings PARTITION BY pair_key,
 *   kinds => 'humidity, temperature',
 *   within_seconds => 60,
 *   on_time => DESCRIPTOR(read_at))
 * }</pre>
 *
 * <p>{@code events}: the rows of both kinds in one table (a UNION ALL) with a {@code kind} column (STRING, one of the
 * two kinds; rows of other kinds are ignored) and an {@code event_ts} column (TIMESTAMP(3); rows without one are
 * ignored). A row pairs with the waiting row of the other kind when their event times are at most
 * {@code within_seconds} apart (inclusive); otherwise it waits, replacing an earlier waiting row of its own kind.
 * Output: the PARTITION BY columns, then every other input column except {@code kind} and the on_time column, each
 * the first kind's value when not null, else the second's (so {@code event_ts} is the first kind's). With
 * {@code on_time} (optional) the pair keeps a time attribute: the framework's {@code rowtime}, the on_time of the row
 * that completed it, for event-time functions downstream (ENRICH_AS_OF). Pairs never wait for the watermark, but
 * Flink 2.2 drops a row at or behind the watermark before the function sees it: give on_time a read-time column whose
 * watermark trails it (read_at, 2 s behind), which no row is behind. Rows that never find a partner are dropped with
 * the job's state TTL.
 */
public class PairOnce extends ProcessTableFunction<Row> {
    static final String KIND = "kind";
    static final String TIME = "event_ts";

    private transient String parsedKinds;
    private transient List<String> kinds;
    private transient List<String> outputColumns;

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        LinkedHashMap<String, StateTypeStrategy> state = new LinkedHashMap<>();
        state.put("waiting", StateTypeStrategy.of(ctx -> Optional.of(waitingType(ctx))));
        return TypeInference.newBuilder()
                .staticArguments(
                        StaticArgument.table("events", Row.class, false,
                                EnumSet.of(StaticArgumentTrait.TABLE, StaticArgumentTrait.SET_SEMANTIC_TABLE)),
                        StaticArgument.scalar("kinds", DataTypes.STRING(), false),
                        StaticArgument.scalar("within_seconds", DataTypes.INT(), false))
                .stateTypeStrategies(state)
                .outputTypeStrategy(ctx -> Optional.of(outputType(ctx)))
                .build();
    }

    public void eval(Context ctx, Row waiting, Row event, String kindList, Integer withinSeconds) {
        if (!kindList.equals(parsedKinds)) {
            kinds = parseKinds(kindList);
            TableSemantics events = ctx.tableSemanticsFor("events");
            outputColumns = outputColumns(events, OnTime.tableColumn(events));
            parsedKinds = kindList;
        }
        int side = kinds.indexOf((String) event.getFieldAs(KIND));
        LocalDateTime time = event.getFieldAs(TIME);
        if (side < 0 || time == null) return;
        Row partner = (Row) waiting.getField(1 - side);
        if (partner != null && Duration.between(partner.<LocalDateTime>getFieldAs(TIME), time).abs()
                .compareTo(Duration.ofSeconds(withinSeconds)) <= 0) {
            collect(side == 0 ? merged(event, partner) : merged(partner, event));
            ctx.clearAllState();
            return;
        }
        waiting.setField(side, event);
    }

    private Row merged(Row first, Row second) {
        Row out = new Row(outputColumns.size());
        for (int i = 0; i < outputColumns.size(); i++) {
            String column = outputColumns.get(i);
            Object value = first.getField(column);
            out.setField(i, value != null ? value : second.getField(column));
        }
        return out;
    }

    /** Two distinct kinds, "first, second"; else why not. */
    static List<String> parseKinds(String text) {
        List<String> kinds = new ArrayList<>();
        for (String part : text.split(",")) kinds.add(part.trim());
        if (kinds.size() != 2 || kinds.get(0).isEmpty() || kinds.get(1).isEmpty() || kinds.get(0).equals(kinds.get(1))) {
            throw new IllegalArgumentException("kinds must name two different kinds, 'first, second', not '" + text + "'");
        }
        return kinds;
    }

    /** The input's columns in order, without the PARTITION BY columns, kind and the on_time column (or null). */
    private static List<String> outputColumns(TableSemantics events, String timeColumn) {
        List<String> names = DataType.getFieldNames(events.dataType());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            int column = i;
            boolean partition = Arrays.stream(events.partitionByColumns()).anyMatch(p -> p == column);
            if (!partition && !names.get(i).equals(KIND) && !names.get(i).equals(timeColumn)) out.add(names.get(i));
        }
        return out;
    }

    private static TableSemantics events(CallContext ctx) {
        TableSemantics events = ctx.getTableSemantics(0).orElseThrow(() -> ctx.newValidationError(
                "PAIR_ONCE: events must be a table argument (events => TABLE t PARTITION BY key)"));
        List<String> names = DataType.getFieldNames(events.dataType());
        if (!names.contains(KIND) || !names.contains(TIME)) {
            throw ctx.newValidationError("PAIR_ONCE: the events table needs the columns %s (STRING: which kind a row is) and %s"
                    + " (TIMESTAMP(3): its event time); it has %s", KIND, TIME, names);
        }
        String kindList = ctx.getArgumentValue(1, String.class).orElseThrow(() -> ctx.newValidationError(
                "PAIR_ONCE: kinds must be a string literal such as 'humidity, temperature'"));
        try {
            parseKinds(kindList);
        } catch (IllegalArgumentException e) {
            throw ctx.newValidationError("PAIR_ONCE: %s", e.getMessage());
        }
        Integer within = ctx.getArgumentValue(2, Integer.class).orElse(null);
        if (within == null || within < 0) {
            throw ctx.newValidationError("PAIR_ONCE: within_seconds must be a literal of 0 or more seconds, not %s", within);
        }
        return events;
    }

    private static DataType waitingType(CallContext ctx) {
        DataType row = events(ctx).dataType().bridgedTo(Row.class);
        return DataTypes.ROW(DataTypes.FIELD("first", row), DataTypes.FIELD("second", row)).bridgedTo(Row.class);
    }

    private static DataType outputType(CallContext ctx) {
        TableSemantics events = events(ctx);
        List<String> names = DataType.getFieldNames(events.dataType());
        List<DataType> types = DataType.getFieldDataTypes(events.dataType());
        String timeColumn = OnTime.tableColumn(events);
        if (timeColumn == null) timeColumn = OnTime.argumentColumn(ctx, 3);
        List<DataTypes.Field> fields = new ArrayList<>();
        for (String column : outputColumns(events, timeColumn)) fields.add(DataTypes.FIELD(column, types.get(names.indexOf(column)).nullable()));
        return DataTypes.ROW(fields.toArray(new DataTypes.Field[0]));
    }
}
