package dev.iotplatform.flink.functions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

class PackedVersionsTest {
    private static final LocalDateTime T0 = LocalDateTime.parse("2026-03-02T00:00");
    private static final int MAX = EnrichAsOf.MAX_VERSIONS;

    @Test
    void everyKeptTypeAndNullComeBackAsTheyWent() {
        Object[] values = {null, "", "Zürich ✓ 𝄞", true, false, (byte) -128, (short) 32767, Integer.MIN_VALUE, Long.MAX_VALUE,
                Float.NaN, -0.0f, Double.MIN_VALUE, Double.NEGATIVE_INFINITY, new BigDecimal("-12345678901234567890.123456789"),
                new BigDecimal("1E+5"), BigDecimal.ZERO.setScale(3), LocalDate.parse("1969-12-31"), LocalDate.MAX,
                LocalTime.parse("23:59:59.999999999"), LocalDateTime.parse("1900-01-01T00:00:00.000000001"), LocalDateTime.MAX,
                Instant.parse("1969-12-31T23:59:59.999999999Z"), Instant.MIN, new byte[] {0, -1, 42}, new byte[0]};
        byte[] packed = PackedVersions.with(null, T0, values, MAX);
        Object[] back = PackedVersions.values(packed, 0);
        assertEquals(values.length, back.length);
        for (int i = 0; i < values.length; i++) {
            if (values[i] instanceof byte[] bytes) assertArrayEquals(bytes, (byte[]) back[i]);
            else assertEquals(values[i], back[i], "value " + i);
            if (values[i] != null) assertEquals(values[i].getClass(), back[i].getClass(), "class of value " + i);
        }
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits((Float) back[10]));
    }

    @Test
    void versionTimesComeBackToTheNanosecond() {
        List<LocalDateTime> times = List.of(LocalDateTime.parse("1969-12-31T23:59:59.999999999"), T0.plusNanos(1),
                T0.plusNanos(123_456_789), LocalDateTime.MIN, LocalDateTime.MAX);
        byte[] packed = null;
        for (LocalDateTime t : times) packed = PackedVersions.with(packed, t, new Object[] {t.toString()}, MAX);
        List<LocalDateTime> sorted = times.stream().sorted().toList();
        for (int i = 0; i < sorted.size(); i++) {
            assertEquals(sorted.get(i), PackedVersions.time(packed, i));
            assertEquals(sorted.get(i).toString(), PackedVersions.values(packed, i)[0]);
        }
        // a nanosecond apart is apart: the earlier fact does not see the later version
        assertEquals(-1, PackedVersions.validAt(PackedVersions.with(null, T0.plusNanos(1), new Object[0], MAX), T0));
    }

    @Test
    void theVersionValidAtATimeIsTheLatestAtOrBeforeItAndOfEqualTimesTheOneAddedLast() {
        byte[] packed = null;
        packed = PackedVersions.with(packed, T0.plusMinutes(10), new Object[] {"10:00 first"}, MAX);
        packed = PackedVersions.with(packed, T0, new Object[] {"00:00"}, MAX);
        packed = PackedVersions.with(packed, T0.plusMinutes(10), new Object[] {"10:00 second"}, MAX);
        packed = PackedVersions.with(packed, T0.plusMinutes(5), new Object[] {null}, MAX);
        assertEquals(-1, PackedVersions.validAt(null, T0));
        assertEquals(-1, PackedVersions.validAt(packed, T0.minusNanos(1)));
        assertEquals("00:00", valueAt(packed, T0));
        assertNull(valueAt(packed, T0.plusMinutes(7)));
        assertEquals("10:00 second", valueAt(packed, T0.plusMinutes(10)));
        assertEquals("10:00 second", valueAt(packed, T0.plusDays(1)));
        assertEquals(List.of("00:00", "null", "10:00 first", "10:00 second"), contents(packed).stream()
                .map(v -> String.valueOf(v.getField(1))).toList());
    }

    @Test
    void keepsTheNewestVersionsSortedByTimeWhateverTheirArrivalOrder() {
        byte[] packed = null;
        for (int i = MAX + 2; i >= 1; i--) packed = PackedVersions.with(packed, T0.plusMinutes(i), new Object[] {i}, MAX);
        assertEquals(MAX, PackedVersions.count(packed));
        assertEquals(T0.plusMinutes(3), PackedVersions.time(packed, 0)); // the two oldest went
        assertEquals(-1, PackedVersions.validAt(packed, T0.plusMinutes(3).minusSeconds(1)));
        assertEquals(3, valueAt(packed, T0.plusMinutes(3).plusSeconds(30)));
        // full: a version older than every one kept goes at once
        assertArrayEquals(packed, PackedVersions.with(packed, T0, new Object[] {0}, MAX));
    }

    /** Random arrivals with many equal times: the packed form holds what the row helpers hold and answers as they do. */
    @Test
    void agreesWithTheRowRulesOnRandomArrivals() {
        Random random = new Random(20260302);
        for (int run = 0; run < 20; run++) {
            Row[] rows = null;
            byte[] packed = null;
            for (int seq = 0; seq < 150; seq++) {
                LocalDateTime time = T0.plusSeconds(random.nextInt(40));
                Object[] values = {seq, random.nextBoolean() ? null : "v" + seq};
                rows = RowVersions.withVersion(rows, version(time, values), time);
                packed = PackedVersions.with(packed, time, values, MAX);
                assertEquals(flat(rows), contents(packed));
            }
            for (int s = -1; s <= 41; s++) {
                LocalDateTime time = T0.plusSeconds(s).plusNanos(s % 2 == 0 ? 0 : 500_000_000);
                Row expected = RowVersions.validAt(rows, time);
                assertEquals(expected == null ? null : flat(expected), rowAt(packed, time), "at " + time);
            }
        }
    }

    @Test
    void aReportsOwnEventTimeAndAStampNearItAreKeptInAFewBytesAndComeBackExact() {
        LocalDateTime time = LocalDateTime.parse("2026-03-02T10:15:30.123");
        long millis = time.toInstant(ZoneOffset.UTC).toEpochMilli();
        Object[] tied = {"2026-03-02T10:15:30.123Z", millis + 37, millis - 5_000, millis};
        Object[] untied = {"2026-03-02T10:15:30.124Z", Long.MAX_VALUE, millis + (1L << 48), Long.MIN_VALUE};
        byte[] compact = PackedVersions.with(null, time, tied, MAX);
        byte[] plain = PackedVersions.with(null, time, untied, MAX);
        assertArrayEquals(tied, PackedVersions.values(compact, 0));
        assertArrayEquals(untied, PackedVersions.values(plain, 0));
        // the text is a tag alone, each stamp a tag and one to three bytes; the others keep their full form
        assertEquals(1 + (1 + 1) + (1 + 2) + (1 + 1), PackedVersions.length(compact, 1, 0));
        assertEquals((1 + 4 + 24) + 3 * (1 + 8), PackedVersions.length(plain, 1, 0));
        // tied to the version's own time: moved among others, they still come back as they went
        byte[] more = PackedVersions.with(compact, time.minusSeconds(1), new Object[] {"x", 1L, null, 2L}, MAX);
        assertArrayEquals(tied, PackedVersions.values(more, 1));
        // a time with nanoseconds beyond the millisecond: the stamp counts from its millisecond, both come back exact
        LocalDateTime fine = time.plusNanos(456_789);
        assertArrayEquals(new Object[] {"2026-03-02T10:15:30.123Z", millis + 1},
                PackedVersions.values(PackedVersions.with(null, fine, new Object[] {"2026-03-02T10:15:30.123Z", millis + 1}, MAX), 0));
    }

    /** Versions packed before the time-tied forms (format 1) read as they did and take new versions beside them. */
    @Test
    void versionsOfTheFormatBeforeStillRead() {
        byte[] text = "2026-03-02T00:00:00.000Z".getBytes(StandardCharsets.UTF_8);
        int valuesLength = 1 + 4 + text.length + 1 + 8;
        ByteBuffer old = ByteBuffer.allocate(1 + 4 + 12 + 4 + valuesLength).put((byte) 1).putInt(1)
                .putLong(T0.toEpochSecond(ZoneOffset.UTC)).putInt(0).putInt(valuesLength)
                .put((byte) 1).putInt(text.length).put(text).put((byte) 6).putLong(1772409600123L);
        byte[] packed = old.array();
        Object[] values = {"2026-03-02T00:00:00.000Z", 1772409600123L};
        assertArrayEquals(values, PackedVersions.values(packed, 0));
        byte[] more = PackedVersions.with(packed, T0.plusMinutes(1), new Object[] {"2026-03-02T00:01:00.000Z", 1772409660123L}, MAX);
        assertEquals(PackedVersions.FORMAT, more[0]);
        assertArrayEquals(values, PackedVersions.values(more, 0));
        assertArrayEquals(new Object[] {"2026-03-02T00:01:00.000Z", 1772409660123L}, PackedVersions.values(more, 1));
    }

    @Test
    void theKeptTypesAreThoseAVersionCanHold() {
        for (DataType kept : List.of(DataTypes.STRING(), DataTypes.CHAR(3), DataTypes.DOUBLE(), DataTypes.FLOAT(), DataTypes.INT(),
                DataTypes.BIGINT(), DataTypes.SMALLINT(), DataTypes.TINYINT(), DataTypes.BOOLEAN(), DataTypes.TIMESTAMP(9),
                DataTypes.TIMESTAMP_LTZ(3), DataTypes.DECIMAL(38, 10), DataTypes.DATE(), DataTypes.TIME(), DataTypes.BYTES(),
                DataTypes.NULL())) {
            assertTrue(PackedVersions.keeps(kept.getLogicalType()), kept.toString());
        }
        for (DataType refused : List.of(DataTypes.ARRAY(DataTypes.INT()), DataTypes.MAP(DataTypes.STRING(), DataTypes.INT()),
                DataTypes.ROW(DataTypes.FIELD("a", DataTypes.INT())), DataTypes.TIMESTAMP_WITH_TIME_ZONE(3),
                DataTypes.INTERVAL(DataTypes.SECOND()), DataTypes.MULTISET(DataTypes.STRING()))) {
            assertFalse(PackedVersions.keeps(refused.getLogicalType()), refused.toString());
        }
    }

    @Test
    void aValueOfAnotherClassOrBytesOfAnotherFormatAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PackedVersions.with(null, T0, new Object[] {List.of(1)}, MAX));
        byte[] packed = PackedVersions.with(null, T0, new Object[] {1}, MAX);
        packed[0] = 99;
        assertThrows(IllegalArgumentException.class, () -> PackedVersions.validAt(packed, T0));
    }

    @Test
    void anArrayGivenIsNeverChanged() {
        byte[] packed = PackedVersions.with(null, T0, new Object[] {"a"}, 2);
        packed = PackedVersions.with(packed, T0.plusMinutes(1), new Object[] {"b"}, 2);
        byte[] before = packed.clone();
        PackedVersions.with(packed, T0.plusMinutes(2), new Object[] {"c"}, 2);
        PackedVersions.with(packed, T0.plusSeconds(30), new Object[] {"between"}, 2);
        assertArrayEquals(before, packed);
    }

    private static Object valueAt(byte[] packed, LocalDateTime time) {
        int i = PackedVersions.validAt(packed, time);
        return i < 0 ? "none" : PackedVersions.values(packed, i)[0];
    }

    private static Row rowAt(byte[] packed, LocalDateTime time) {
        int i = PackedVersions.validAt(packed, time);
        return i < 0 ? null : contents(packed).get(i);
    }

    /** Each version as a row: its time, then its values. */
    private static List<Row> contents(byte[] packed) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < PackedVersions.count(packed); i++) {
            Object[] values = PackedVersions.values(packed, i);
            Row row = new Row(values.length + 1);
            row.setField(0, PackedVersions.time(packed, i));
            for (int c = 0; c < values.length; c++) row.setField(c + 1, values[c]);
            rows.add(row);
        }
        return rows;
    }

    private static Row version(LocalDateTime time, Object[] values) {
        Row row = Row.withNames();
        row.setField(EnrichAsOf.TIME, time);
        for (int c = 0; c < values.length; c++) row.setField("c" + c, values[c]);
        return row;
    }

    private static List<Row> flat(Row[] rows) {
        return Arrays.stream(rows).map(PackedVersionsTest::flat).toList();
    }

    /** A row of {@link #version} as one of {@link #contents}. */
    private static Row flat(Row version) {
        return Row.of(version.getField(EnrichAsOf.TIME), version.getField("c0"), version.getField("c1"));
    }
}
