package dev.iotplatform.flink.functions.transit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * JSON kept in Flink state deflated (as Base64 text): large, rarely read values that the heap state backend writes
 * whole at every checkpoint. The state stays a STRING, so checkpoints of earlier versions, which held the JSON
 * itself, still restore: a value that starts with '{' (never the first character of Base64) is read as it is.
 */
final class StateCompression {
    private StateCompression() {}

    static String pack(String json) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(json.getBytes(StandardCharsets.UTF_8));
            deflater.finish();
            return Base64.getEncoder().encodeToString(drain(deflater::deflate, deflater::finished));
        } finally {
            deflater.end();
        }
    }

    static String unpack(String stored) {
        if (stored.startsWith("{")) return stored;
        byte[] packed;
        try {
            packed = Base64.getDecoder().decode(stored);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("packed state value is not Base64: " + e.getMessage(), e);
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(packed);
            return new String(drain(buffer -> {
                try {
                    int n = inflater.inflate(buffer);
                    if (n == 0 && !inflater.finished() && inflater.needsInput()) throw new IllegalArgumentException("packed state value is truncated");
                    return n;
                } catch (DataFormatException e) {
                    throw new IllegalArgumentException("packed state value is corrupt: " + e.getMessage(), e);
                }
            }, inflater::finished), StandardCharsets.UTF_8);
        } finally {
            inflater.end();
        }
    }

    private interface Step {
        int into(byte[] buffer);
    }

    private static byte[] drain(Step step, java.util.function.BooleanSupplier done) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!done.getAsBoolean()) out.write(buffer, 0, step.into(buffer));
        return out.toByteArray();
    }
}
