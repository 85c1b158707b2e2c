package dev.iotplatform.flink.functions.transit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** Text kept in Flink state as deflated UTF-8: large, rarely read values that every checkpoint would write whole. */
final class StateCompression {
    private StateCompression() {}

    static byte[] deflate(String text) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
            deflater.finish();
            return drain(deflater::deflate, deflater::finished);
        } finally {
            deflater.end();
        }
    }

    static String inflate(byte[] packed) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(packed);
            byte[] text = drain(buffer -> {
                try {
                    int n = inflater.inflate(buffer);
                    if (n == 0 && !inflater.finished() && inflater.needsInput()) throw new IllegalArgumentException("deflated state value is truncated");
                    return n;
                } catch (DataFormatException e) {
                    throw new IllegalArgumentException("deflated state value is corrupt: " + e.getMessage(), e);
                }
            }, inflater::finished);
            return new String(text, StandardCharsets.UTF_8);
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
