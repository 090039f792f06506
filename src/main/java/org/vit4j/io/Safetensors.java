package org.vit4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a {@code .safetensors} file into float32 arrays: an 8-byte little-endian header length, a
 * JSON header {@code {name: {dtype, shape, data_offsets: [begin, end]}}} (offsets relative to the
 * end of the header) and raw little-endian data. F32, F64, F16 and BF16 are read; half-precision
 * values are widened exactly in Java (DJL's PyTorch engine aborts the JVM when asked to create a
 * bfloat16 array from a buffer, so {@code NDList.decode} cannot be used for them).
 *
 * <p>Hand-written for that reason: DJL's own safetensors support goes through the engine's
 * {@code NDArray}s of the stored dtype, and no kept library reads the format into float32 without
 * one; the format is small (a length, a JSON header parsed with Gson, raw bytes), and reading it
 * here also lets every refusal name the file, the tensor and the numbers.
 */
public final class Safetensors {

    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {}

    /**
     * Reads every tensor.
     *
     * @param file the file
     * @param m the manager that owns the arrays
     * @return name to float32 array, in header order
     * @throws IOException if the file is missing, truncated, or not safetensors, naming the file
     */
    public static Map<String, NDArray> read(Path file, NDManager m) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        return read(Files.readAllBytes(file), file.toString(), m);
    }

    /**
     * Reads every tensor from the bytes of a file.
     *
     * @param bytes the file content
     * @param file the file's name for messages
     * @param m the manager that owns the arrays
     * @return name to float32 array, in header order
     * @throws IOException if truncated or not safetensors, naming the file
     */
    public static Map<String, NDArray> read(byte[] bytes, String file, NDManager m) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long size = bytes.length;
        if (size >= 2 && bytes[0] == 'P' && bytes[1] == 'K') {
            throw new IOException(file + ": a zip archive (a PyTorch .pt/.bin pickle?); vit4j reads only"
                    + " .safetensors, which cannot run code. Convert it in Python with"
                    + " safetensors.torch.save_file(torch.load(path), 'model.safetensors')");
        }
        long headerLen = size >= 9 ? all.getLong(0) : -1;
        if (size < 9 || bytes[8] != '{' || headerLen < 2 || headerLen > MAX_HEADER || 8 + headerLen > size) {
            throw new IOException(file + ": not a safetensors file (expected an 8-byte header length"
                    + " and a JSON header)");
        }
        JsonObject header;
        try {
            header = JsonParser.parseString(new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8))
                    .getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException(file + ": safetensors header is not a JSON object (" + e.getMessage() + ")", e);
        }
        long base = 8 + headerLen;
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            out.put(e.getKey(), tensor(all, base, size, e.getKey(), e.getValue(), m, file));
        }
        return out;
    }

    private static NDArray tensor(ByteBuffer all, long base, long size, String name, JsonElement spec,
            NDManager m, String file) throws IOException {
        String dtype;
        long[] shape;
        long begin;
        long end;
        try {
            JsonObject o = spec.getAsJsonObject();
            dtype = o.get("dtype").getAsString();
            JsonArray s = o.getAsJsonArray("shape");
            shape = new long[s.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = s.get(i).getAsLong();
            }
            JsonArray off = o.getAsJsonArray("data_offsets");
            begin = off.get(0).getAsLong();
            end = off.get(1).getAsLong();
        } catch (RuntimeException ex) {
            throw new IOException(file + ": malformed header entry for " + name + ": " + spec, ex);
        }
        int bytesPer;
        switch (dtype) {
            case "F64":
                bytesPer = 8;
                break;
            case "F32":
                bytesPer = 4;
                break;
            case "F16":
            case "BF16":
                bytesPer = 2;
                break;
            default:
                throw new IOException(file + ": tensor " + name + " has dtype " + dtype
                        + "; only F32, F64, F16 and BF16 are read");
        }
        long count = 1;
        for (long d : shape) {
            // a hostile header must not make the count negative or wrap around
            if (d < 0 || (d > 0 && count > Integer.MAX_VALUE / d)) {
                throw new IOException(file + ": tensor " + name + " has an invalid shape "
                        + java.util.Arrays.toString(shape) + " (negative or too large)");
            }
            count *= d;
        }
        if (count > Integer.MAX_VALUE / 8 || begin < 0 || end < begin || end - begin != count * bytesPer
                || base + end > size) {
            throw new IOException(file + ": tensor " + name + " " + new Shape(shape) + " " + dtype
                    + " has data_offsets [" + begin + ", " + end + "] that do not fit it or the file");
        }
        ByteBuffer raw = all.slice((int) (base + begin), (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[(int) count];
        for (int i = 0; i < f.length; i++) {
            switch (dtype) {
                case "F64":
                    f[i] = (float) raw.getDouble(8 * i);
                    break;
                case "F32":
                    f[i] = raw.getFloat(4 * i);
                    break;
                case "BF16":
                    f[i] = Float.intBitsToFloat((raw.getShort(2 * i) & 0xffff) << 16); // upper half of a float32
                    break;
                default:
                    f[i] = halfToFloat(raw.getShort(2 * i));
                    break;
            }
        }
        NDArray a = m.create(f, new Shape(shape));
        a.setName(name);
        return a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
    }

    /**
     * IEEE 754 binary16 to float32, exactly (subnormals, infinities and NaN included).
     *
     * @param h the 16 bits
     * @return the value
     */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal: mant * 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13)); // rebias 15 -> 127
    }
}
