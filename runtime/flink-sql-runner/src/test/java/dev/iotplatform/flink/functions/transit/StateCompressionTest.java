package dev.iotplatform.flink.functions.transit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StateCompressionTest {
    @Test
    void givesBackTheSameTextWithNonAsciiCharacters() {
        String text = "{\"tripId\":\"Zürich–Genève 🚌\",\"stops\":[]}";
        assertEquals(text, StateCompression.inflate(StateCompression.deflate(text)));
        assertEquals("", StateCompression.inflate(StateCompression.deflate("")));
    }

    @Test
    void makesATripRecordSeveralTimesSmaller() {
        StringBuilder json = new StringBuilder("{\"tripId\":\"T1\",\"stops\":[");
        for (int i = 0; i < 60; i++) {
            json.append(i == 0 ? "" : ",").append("{\"stopId\":\"S").append(1000 + i).append("\",\"stopSequence\":").append(i)
                    .append(",\"lat\":47.").append(600_000 + 137 * i).append(",\"lon\":-122.").append(300_000 + 91 * i)
                    .append(",\"arrivalSeconds\":").append(21_600 + 90 * i).append(",\"departureSeconds\":").append(21_600 + 90 * i).append('}');
        }
        json.append("]}");
        byte[] packed = StateCompression.deflate(json.toString());
        assertTrue(packed.length * 3 < json.length(), json.length() + " chars deflated to " + packed.length + " bytes");
        assertEquals(json.toString(), StateCompression.inflate(packed));
    }

    @Test
    void refusesATruncatedOrCorruptValue() {
        byte[] packed = StateCompression.deflate("{\"tripId\":\"T1\",\"shape\":[[47.6,-122.3],[47.7,-122.4]]}");
        assertThrows(IllegalArgumentException.class, () -> StateCompression.inflate(Arrays.copyOf(packed, packed.length / 2)));
        assertThrows(IllegalArgumentException.class, () -> StateCompression.inflate(new byte[] {1, 2, 3, 4, 5}));
    }
}
