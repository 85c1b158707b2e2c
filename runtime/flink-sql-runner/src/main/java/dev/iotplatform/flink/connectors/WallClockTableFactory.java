package dev.iotplatform.flink.connectors;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.GuavaRateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * {@code 'connector' = 'wall-clock'}: a beat every {@code interval} (default 100 ms), evenly spaced, on every subtask;
 * its one physical column (BIGINT) numbers the beats (each subtask counts in its own range). A computed
 * {@code CURRENT_TIMESTAMP} column stamps each beat with the moment it passes, and a watermark on it keeps event time
 * moving while every other input is idle.
 *
 * <p>Flink's {@code datagen} table connector is no such clock: its source emits each second's rows in one burst, then
 * sleeps until the next second, so a watermark on their stamps moved once a second and held back every operator that
 * waits for it by up to a second more than its own delay.
 */
public class WallClockTableFactory implements DynamicTableSourceFactory {
    public static final String IDENTIFIER = "wall-clock";
    public static final ConfigOption<Duration> INTERVAL = ConfigOptions.key("interval").durationType()
            .defaultValue(Duration.ofMillis(100)).withDescription("time between two beats");

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(INTERVAL);
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        String table = context.getObjectIdentifier().asSummaryString();
        Duration interval = helper.getOptions().get(INTERVAL);
        if (interval.toMillis() < 1) {
            throw new ValidationException(String.format("table %s: 'interval' = '%s' is shorter than 1 ms; give e.g. '100 ms'",
                    table, context.getCatalogTable().getOptions().get(INTERVAL.key())));
        }
        List<Column> physical = context.getCatalogTable().getResolvedSchema().getColumns().stream()
                .filter(Column::isPhysical).toList();
        if (physical.size() != 1 || physical.get(0).getDataType().getLogicalType().getTypeRoot() != LogicalTypeRoot.BIGINT) {
            throw new ValidationException(String.format(
                    "table %s: a wall-clock table has one physical column, BIGINT (the beat's number), and found %s; "
                            + "declare e.g. (beat BIGINT, beat_at AS CURRENT_TIMESTAMP, WATERMARK FOR beat_at AS ...)",
                    table, physical.stream().map(c -> c.getName() + " " + c.getDataType()).toList()));
        }
        return new WallClockSource(interval, context.getPhysicalRowDataType());
    }

    static final class WallClockSource implements ScanTableSource {
        private final Duration interval;
        private final DataType rowType;

        WallClockSource(Duration interval, DataType rowType) {
            this.interval = interval;
            this.rowType = rowType;
        }

        @Override
        public ChangelogMode getChangelogMode() {
            return ChangelogMode.insertOnly();
        }

        @Override
        public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
            // Every subtask beats every interval, evenly (Guava's smooth rate limiter), so that each channel's
            // watermark moves that often; at the job's parallelism, so that the stamp and the watermark are computed
            // in the source's own chain, not after a network buffer's wait.
            double beatsPerSecond = 1000.0 / interval.toMillis();
            RateLimiterStrategy<NumberSequenceSplit> everySubtask = parallelism -> new GuavaRateLimiter<>(beatsPerSecond);
            DataGeneratorSource<RowData> beats = new DataGeneratorSource<>(GenericRowData::of, Long.MAX_VALUE, everySubtask,
                    context.createTypeInformation(rowType));
            return SourceProvider.of(beats);
        }

        @Override
        public DynamicTableSource copy() {
            return new WallClockSource(interval, rowType);
        }

        @Override
        public String asSummaryString() {
            return "wall-clock every " + interval.toMillis() + " ms";
        }
    }
}
