package dev.iotplatform.flink.functions;

import java.util.Optional;
import org.apache.flink.table.functions.TableSemantics;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.types.ColumnList;

/** The on_time argument of a process table function, which type inference sees before the table semantics carry it. */
final class OnTime {
    private OnTime() {}

    /** The on_time column as the table semantics carry it, or null. */
    static String tableColumn(TableSemantics events) {
        return events.timeColumn() >= 0 ? DataType.getFieldNames(events.dataType()).get(events.timeColumn()) : null;
    }

    /**
     * The column of {@code on_time => DESCRIPTOR(c)}, or null: the first one-column descriptor among the arguments from
     * {@code firstSystemArgument} on (the function's own arguments come before the framework's).
     */
    static String argumentColumn(CallContext ctx, int firstSystemArgument) {
        for (int i = firstSystemArgument; i < ctx.getArgumentDataTypes().size(); i++) {
            if (ctx.isArgumentNull(i) || !ctx.isArgumentLiteral(i)) continue;
            Optional<ColumnList> columns = ctx.getArgumentValue(i, ColumnList.class);
            if (columns.isPresent() && columns.get().getNames().size() == 1) return columns.get().getNames().get(0);
        }
        return null;
    }
}
