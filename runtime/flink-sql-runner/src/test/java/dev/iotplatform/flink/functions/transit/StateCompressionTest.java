package dev.iotplatform.flink.functions.transit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StateCompressionTest {
    @Test
    void givesBackTheSameJsonWithNonAsciiCharacters() {
        String json = "{\"tripId\":\"Zürich–Genève 🚌\",\"stops\":[]}";
        assertEquals(json, StateCompression.unpack(StateCompression.pack(json)));
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
        String packed = StateCompression.pack(json.toString());
        assertTrue(packed.length() * 3 < json.length(), json.length() + " chars packed into " + packed.length());
        assertEquals(json.toString(), StateCompression.unpack(packed));
    }

    @Test
    void readsTheJsonItselfAsEarlierVersionsKeptIt() {
        String json = "{\"tripId\":\"T1\",\"shape\":[[47.6,-122.3]]}";
        assertEquals(json, StateCompression.unpack(json));
    }

    @Test
    void refusesATruncatedOrCorruptValue() {
        String packed = StateCompression.pack("{\"tripId\":\"T1\",\"shape\":[[47.6,-122.3],[47.7,-122.4]]}");
        assertThrows(IllegalArgumentException.class, () -> StateCompression.unpack(packed.substring(0, packed.length() / 2 / 4 * 4)));
        assertThrows(IllegalArgumentException.class, () -> StateCompression.unpack("AQIDBAU="));
        assertThrows(IllegalArgumentException.class, () -> StateCompression.unpack("not base64!"));
    }
}
