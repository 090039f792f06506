package org.vit4j.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Minimal reader for NumPy {@code .npy} files (format versions 1–3): little-endian float32
 * ({@code <f4}) or float64 ({@code <f8}), C order. Test helper for golden arrays.
 *
 * @param shape the array's shape
 * @param data the values as float, row-major
 */
record Npy(int[] shape, float[] data) {

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** Reads a test resource under {@code /images/}. */
    static Npy resource(String name) throws IOException {
        try (InputStream in = Npy.class.getResourceAsStream("/images/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /images/" + name);
            }
            return parse(in.readAllBytes());
        }
    }

    static Npy read(Path path) throws IOException {
        return parse(Files.readAllBytes(path));
    }

    static Npy parse(byte[] bytes) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        bb.get(magic);
        if (magic[0] != (byte) 0x93 || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new IOException("not an .npy file");
        }
        int major = bb.get() & 0xFF;
        bb.get(); // minor
        int headerLength = major == 1 ? bb.getShort() & 0xFFFF : bb.getInt();
        byte[] header = new byte[headerLength];
        bb.get(header);
        String h = new String(header, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = find(DESCR, h, "descr");
        if (find(FORTRAN, h, "fortran_order").equals("True")) {
            throw new IOException("Fortran-order arrays are not supported");
        }
        String shapeText = find(SHAPE, h, "shape").trim();
        int[] shape;
        if (shapeText.isEmpty()) {
            shape = new int[0];
        } else {
            String[] parts = shapeText.split(",");
            int n = 0;
            for (String p : parts) {
                if (!p.isBlank()) {
                    n++;
                }
            }
            shape = new int[n];
            int i = 0;
            for (String p : parts) {
                if (!p.isBlank()) {
                    shape[i++] = Integer.parseInt(p.trim());
                }
            }
        }
        long count = 1;
        for (int s : shape) {
            count *= s;
        }
        float[] data = new float[Math.toIntExact(count)];
        switch (descr) {
            case "<f4" -> {
                for (int i = 0; i < data.length; i++) {
                    data[i] = bb.getFloat();
                }
            }
            case "<f8" -> {
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) bb.getDouble();
                }
            }
            default -> throw new IOException("unsupported dtype " + descr + " (want <f4 or <f8)");
        }
        return new Npy(shape, data);
    }

    private static String find(Pattern p, String header, String key) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException("npy header has no " + key + ": " + header);
        }
        return m.group(1);
    }
}
