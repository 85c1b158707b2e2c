package dev.iotplatform.flink.functions;

import static org.apache.flink.table.types.inference.InputTypeStrategies.logical;
import static org.apache.flink.table.types.inference.InputTypeStrategies.or;
import static org.apache.flink.table.types.inference.InputTypeStrategies.sequence;

import java.util.Optional;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.AggregateFunction;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * {@code LATEST_BY(value, order)}: the value on the group's row with the greatest order. Rows with a null order are
 * skipped; on equal orders the row seen first stays. The value is DOUBLE, BIGINT, INT, BOOLEAN or STRING, the order
 * BIGINT.
 *
 * <p>Several columns of the same "latest row" taken with it in one {@code GROUP BY}, next to MAX/MIN of other columns,
 * change together in every update. Joining an aggregation to a {@code ROW_NUMBER} view of the same stream does not:
 * the join takes each side's updates as they come, and emits rows mixing one side's newer reading with the other's
 * older one (and keeps both sides in state). Append-only input (no retraction).
 */
public class LatestBy extends AggregateFunction<Object, LatestBy.Latest> {

    /** The accumulator: the value and order of the latest row so far (order null: no row yet). */
    public static class Latest {
        public Object value;
        public Long order;
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        return TypeInference.newBuilder()
                .inputTypeStrategy(sequence(
                        or(logical(LogicalTypeRoot.DOUBLE), logical(LogicalTypeRoot.BIGINT), logical(LogicalTypeRoot.INTEGER),
                                logical(LogicalTypeRoot.BOOLEAN), logical(LogicalTypeRoot.VARCHAR), logical(LogicalTypeRoot.CHAR)),
                        logical(LogicalTypeRoot.BIGINT)))
                .accumulatorTypeStrategy(ctx -> Optional.of(DataTypes.STRUCTURED(Latest.class,
                        DataTypes.FIELD("value", valueType(ctx)), DataTypes.FIELD("order", DataTypes.BIGINT()))))
                .outputTypeStrategy(ctx -> Optional.of(valueType(ctx)))
                .build();
    }

    private static DataType valueType(CallContext ctx) {
        DataType value = ctx.getArgumentDataTypes().get(0);
        // CHAR(n) literals become STRING so that values of different lengths fit one accumulator
        return (value.getLogicalType().is(LogicalTypeRoot.CHAR) ? DataTypes.STRING() : value).nullable();
    }

    public Latest createAccumulator() {
        return new Latest();
    }

    public void accumulate(Latest latest, Object value, Long order) {
        if (order == null || (latest.order != null && order <= latest.order)) return;
        latest.value = value;
        latest.order = order;
    }

    @Override
    public Object getValue(Latest latest) {
        return latest.value;
    }
}
