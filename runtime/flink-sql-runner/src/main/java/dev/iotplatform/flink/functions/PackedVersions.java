package dev.iotplatform.flink.functions;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * One dimension's versions for {@link EnrichAsOf}'s state, as one byte array sorted by time: Flink passes a BYTES
 * field of state as it is (at most a copy of its bytes), where an ARRAY of ROWs costs a conversion of every field of
 * every version, both ways on every call. A lookup reads only the times and decodes the one version it returns; adding a version copies the
 * others' bytes without decoding them. No versions is null. An array given is never changed: the runtime compares
 * the state before and after a call to skip unchanged writes.
 *
 * <p>Layout, big-endian: a format byte ({@value #FORMAT}); the count n (int); n times, each its seconds since the
 * epoch read as UTC (long) and its nanosecond (int); n ends (int), each where a version's values end, counted from
 * the first version's values; then each version's values in the dimension's column order, each a tag byte (its
 * type, or null) and the value: numbers in their Java bits, text UTF-8 and bytes after their length (int), a decimal
 * as its scale (int) and unscaled two's-complement bytes, a date as its epoch day (long), a time of day as its
 * nanosecond of the day (long), a timestamp (with or without local time zone) as its seconds and nanosecond.
 *
 * <p>Two values tied to their version's time are kept shorter (format 2; format 1 had neither and reads as it is):
 * text that is the version's time written as ISO-8601 UTC with milliseconds (a report's own event time, as
 * {@code Date.toISOString} writes it) is a tag alone, and a BIGINT is its distance in milliseconds from that time
 * as a zigzag varint (an ingestion stamp: a few bytes, not eight). A heap state backend copies every version at every
 * checkpoint, so bytes saved here are saved every second; both cases are decided by equality and come back exact.
 */
final class PackedVersions {
    static final byte FORMAT = 2;
    private static final byte FORMAT_WITHOUT_TIME_TIED_VALUES = 1;
    private static final int HEADER = 1 + Integer.BYTES;
    private static final int TIME_BYTES = Long.BYTES + Integer.BYTES;
    private static final int END_BYTES = Integer.BYTES;

    private static final byte NULL = 0, STRING = 1, BOOLEAN = 2, TINYINT = 3, SMALLINT = 4, INT = 5, BIGINT = 6,
            FLOAT = 7, DOUBLE = 8, DECIMAL = 9, DATE = 10, TIME = 11, TIMESTAMP = 12, TIMESTAMP_LTZ = 13, BYTES = 14,
            VERSION_TIME_TEXT = 15, MILLIS_FROM_VERSION_TIME = 16;

    private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'");

    /** The column types whose values (in their default Java classes) a version can keep. */
    private static final Set<LogicalTypeRoot> KEPT = EnumSet.of(LogicalTypeRoot.CHAR, LogicalTypeRoot.VARCHAR,
            LogicalTypeRoot.BOOLEAN, LogicalTypeRoot.TINYINT, LogicalTypeRoot.SMALLINT, LogicalTypeRoot.INTEGER,
            LogicalTypeRoot.BIGINT, LogicalTypeRoot.FLOAT, LogicalTypeRoot.DOUBLE, LogicalTypeRoot.DECIMAL,
            LogicalTypeRoot.DATE, LogicalTypeRoot.TIME_WITHOUT_TIME_ZONE, LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE,
            LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE, LogicalTypeRoot.BINARY, LogicalTypeRoot.VARBINARY,
            LogicalTypeRoot.NULL);

    private PackedVersions() {}

    static boolean keeps(LogicalType type) {
        return KEPT.contains(type.getTypeRoot());
    }

    static int count(byte[] packed) {
        if (packed == null) return 0;
        if (packed[0] != FORMAT && packed[0] != FORMAT_WITHOUT_TIME_TIED_VALUES) throw new IllegalArgumentException("packed versions of unknown format " + packed[0]);
        return ByteBuffer.wrap(packed).getInt(1);
    }

    static LocalDateTime time(byte[] packed, int i) {
        ByteBuffer in = ByteBuffer.wrap(packed);
        return LocalDateTime.ofEpochSecond(in.getLong(timeAt(i)), in.getInt(timeAt(i) + Long.BYTES), ZoneOffset.UTC);
    }

    /** The values of version {@code i}, in the dimension's column order. */
    static Object[] values(byte[] packed, int i) {
        int n = count(packed);
        ByteBuffer in = ByteBuffer.wrap(packed);
        int base = valuesAt(n);
        in.limit(base + end(in, n, i)).position(base + start(in, n, i));
        LocalDateTime time = time(packed, i);
        List<Object> values = new ArrayList<>();
        while (in.hasRemaining()) values.add(read(in, time));
        return values.toArray();
    }

    /** The index of the latest version at or before {@code time} (of those of equal time, the one added last), or -1. */
    static int validAt(byte[] packed, LocalDateTime time) {
        return after(packed, count(packed), time) - 1;
    }

    /**
     * The versions with one more, placed after those of equal time; beyond {@code max} the oldest go (the new one
     * too, when it is older than all those kept).
     */
    static byte[] with(byte[] packed, LocalDateTime time, Object[] values, int max) {
        byte[] added = single(time, values);
        int n = count(packed);
        int at = after(packed, n, time);
        int first = Math.max(0, n + 1 - max);
        int kept = n + 1 - first;
        int size = valuesAt(kept);
        for (int k = first; k <= n; k++) size += k == at ? length(added, 1, 0) : length(packed, n, k < at ? k : k - 1);
        ByteBuffer out = ByteBuffer.allocate(size).put(FORMAT).putInt(kept);
        int end = 0;
        for (int k = first; k <= n; k++) {
            end = k == at ? copy(added, 0, out, kept, k - first, end) : copy(packed, k < at ? k : k - 1, out, kept, k - first, end);
        }
        return out.array();
    }

    private static byte[] single(LocalDateTime time, Object[] values) {
        byte[] encoded = encode(time, values);
        return ByteBuffer.allocate(valuesAt(1) + encoded.length).put(FORMAT).putInt(1)
                .putLong(time.toEpochSecond(ZoneOffset.UTC)).putInt(time.getNano()).putInt(encoded.length).put(encoded).array();
    }

    /**
     * Copies version {@code i} of {@code from} into {@code slot} of {@code out}, which holds {@code kept} versions
     * and whose values so far end at {@code end}; returns where they end now.
     */
    private static int copy(byte[] from, int i, ByteBuffer out, int kept, int slot, int end) {
        int n = count(from);
        int length = length(from, n, i);
        out.put(timeAt(slot), from, timeAt(i), TIME_BYTES);
        out.put(valuesAt(kept) + end, from, valuesAt(n) + start(ByteBuffer.wrap(from), n, i), length);
        out.putInt(endAt(kept, slot), end + length);
        return end + length;
    }

    /** How many of the first versions are at or before {@code time}: the times are sorted, so a binary search. */
    private static int after(byte[] packed, int n, LocalDateTime time) {
        if (n == 0) return 0;
        ByteBuffer in = ByteBuffer.wrap(packed);
        long seconds = time.toEpochSecond(ZoneOffset.UTC);
        int nanos = time.getNano();
        int low = 0;
        int high = n;
        while (low < high) {
            int mid = (low + high) >>> 1;
            int c = Long.compare(in.getLong(timeAt(mid)), seconds);
            if (c == 0) c = Integer.compare(in.getInt(timeAt(mid) + Long.BYTES), nanos);
            if (c > 0) high = mid;
            else low = mid + 1;
        }
        return low;
    }

    private static int timeAt(int i) {
        return HEADER + i * TIME_BYTES;
    }

    private static int endAt(int n, int i) {
        return HEADER + n * TIME_BYTES + i * END_BYTES;
    }

    private static int valuesAt(int n) {
        return endAt(n, n);
    }

    private static int start(ByteBuffer in, int n, int i) {
        return i == 0 ? 0 : end(in, n, i - 1);
    }

    private static int end(ByteBuffer in, int n, int i) {
        return in.getInt(endAt(n, i));
    }

    static int length(byte[] packed, int n, int i) {
        ByteBuffer in = ByteBuffer.wrap(packed);
        return end(in, n, i) - start(in, n, i);
    }

    private static byte[] encode(LocalDateTime time, Object[] values) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            for (Object value : values) write(out, value, time);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return bytes.toByteArray();
    }

    private static void write(DataOutputStream out, Object value, LocalDateTime time) throws IOException {
        if (value == null) out.writeByte(NULL);
        else if (value instanceof String s && isIsoMillisOf(s, time)) tag(out, VERSION_TIME_TEXT);
        else if (value instanceof String s) blob(tag(out, STRING), s.getBytes(UTF_8));
        else if (value instanceof Boolean b) tag(out, BOOLEAN).writeBoolean(b);
        else if (value instanceof Byte b) tag(out, TINYINT).writeByte(b);
        else if (value instanceof Short s) tag(out, SMALLINT).writeShort(s);
        else if (value instanceof Integer i) tag(out, INT).writeInt(i);
        else if (value instanceof Long l) bigint(out, l, time);
        else if (value instanceof Float f) tag(out, FLOAT).writeInt(Float.floatToRawIntBits(f));
        else if (value instanceof Double d) tag(out, DOUBLE).writeLong(Double.doubleToRawLongBits(d));
        else if (value instanceof BigDecimal d) decimal(tag(out, DECIMAL), d);
        else if (value instanceof LocalDate d) tag(out, DATE).writeLong(d.toEpochDay());
        else if (value instanceof LocalTime t) tag(out, TIME).writeLong(t.toNanoOfDay());
        else if (value instanceof LocalDateTime t) instant(tag(out, TIMESTAMP), t.toEpochSecond(ZoneOffset.UTC), t.getNano());
        else if (value instanceof Instant t) instant(tag(out, TIMESTAMP_LTZ), t.getEpochSecond(), t.getNano());
        else if (value instanceof byte[] b) blob(tag(out, BYTES), b);
        else throw new IllegalArgumentException("a version cannot keep a value of " + value.getClass().getName());
    }

    private static DataOutputStream tag(DataOutputStream out, byte tag) throws IOException {
        out.writeByte(tag);
        return out;
    }

    private static void blob(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static void decimal(DataOutputStream out, BigDecimal value) throws IOException {
        out.writeInt(value.scale());
        blob(out, value.unscaledValue().toByteArray());
    }

    private static void instant(DataOutputStream out, long seconds, int nanos) throws IOException {
        out.writeLong(seconds);
        out.writeInt(nanos);
    }

    private static Object read(ByteBuffer in, LocalDateTime time) {
        byte tag = in.get();
        return switch (tag) {
            case NULL -> null;
            case VERSION_TIME_TEXT -> ISO_MILLIS.format(time);
            case MILLIS_FROM_VERSION_TIME -> epochMillis(time) + unvarint(in);
            case STRING -> new String(blob(in), UTF_8);
            case BOOLEAN -> in.get() != 0;
            case TINYINT -> in.get();
            case SMALLINT -> in.getShort();
            case INT -> in.getInt();
            case BIGINT -> in.getLong();
            case FLOAT -> Float.intBitsToFloat(in.getInt());
            case DOUBLE -> Double.longBitsToDouble(in.getLong());
            case DECIMAL -> decimal(in.getInt(), blob(in));
            case DATE -> LocalDate.ofEpochDay(in.getLong());
            case TIME -> LocalTime.ofNanoOfDay(in.getLong());
            case TIMESTAMP -> LocalDateTime.ofEpochSecond(in.getLong(), in.getInt(), ZoneOffset.UTC);
            case TIMESTAMP_LTZ -> Instant.ofEpochSecond(in.getLong(), in.getInt());
            case BYTES -> blob(in);
            default -> throw new IllegalArgumentException("packed versions hold a value of unknown tag " + tag);
        };
    }

    /** Whether {@code text} is {@code time} written as ISO_MILLIS (the cheap checks first: most text is not). */
    private static boolean isIsoMillisOf(String text, LocalDateTime time) {
        return text.length() == 24 && text.charAt(23) == 'Z' && text.charAt(10) == 'T' && text.equals(ISO_MILLIS.format(time));
    }

    /** A BIGINT near the version's time (within 2⁴⁸ ms: at most 7 varint bytes) as its distance from it, else its bits. */
    private static void bigint(DataOutputStream out, long value, LocalDateTime time) throws IOException {
        long limit = 1L << 48;
        try {
            long fromTime = Math.subtractExact(value, epochMillis(time));
            if (fromTime > -limit && fromTime < limit) {
                varint(tag(out, MILLIS_FROM_VERSION_TIME), fromTime);
                return;
            }
        } catch (ArithmeticException e) {
            // a time beyond the epoch milliseconds' range: its bits
        }
        tag(out, BIGINT).writeLong(value);
    }

    /** The epoch milliseconds of {@code time} read as UTC, rounded down (a version time may hold nanoseconds). */
    private static long epochMillis(LocalDateTime time) {
        return Math.addExact(Math.multiplyExact(time.toEpochSecond(ZoneOffset.UTC), 1000L), time.getNano() / 1_000_000);
    }

    /** A long as a zigzag varint: seven bits a byte, low first, the high bit set on every byte but the last. */
    private static void varint(DataOutputStream out, long value) throws IOException {
        long zigzag = (value << 1) ^ (value >> 63);
        while ((zigzag & ~0x7FL) != 0) {
            out.writeByte((int) (zigzag & 0x7F) | 0x80);
            zigzag >>>= 7;
        }
        out.writeByte((int) zigzag);
    }

    private static long unvarint(ByteBuffer in) {
        long zigzag = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in.get();
            zigzag |= (long) (b & 0x7F) << shift;
            if (b >= 0) return (zigzag >>> 1) ^ -(zigzag & 1);
        }
    }

    private static byte[] blob(ByteBuffer in) {
        byte[] bytes = new byte[in.getInt()];
        in.get(bytes);
        return bytes;
    }

    private static BigDecimal decimal(int scale, byte[] unscaled) {
        return new BigDecimal(new BigInteger(unscaled), scale);
    }
}
