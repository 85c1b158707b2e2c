package dev.iotplatform.flink.functions.transit;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/** Test support: a metric reporter that keeps the counters a job registers, by name, for a test to read after the job. */
public class CountersReporter implements MetricReporter, MetricReporterFactory {
    static final Map<String, Counter> COUNTERS = new ConcurrentHashMap<>();

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return this;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Counter counter) COUNTERS.put(name, counter);
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {}

    static long count(String name) {
        Counter c = COUNTERS.get(name);
        return c == null ? -1 : c.getCount();
    }
}
