package org.vit4j.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reader and writer for the NumPy {@code .npy} format, versions 1.0, 2.0 and 3.0.
 *
 * <p>Layout (NEP 1, {@code numpy.lib.format}): the 6 magic bytes {@code \x93NUMPY}, one byte major
 * and one byte minor version, the header length (unsigned little-endian {@code uint16} in v1,
 * {@code uint32} in v2/v3), then the header: a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }} padded with spaces and a final
 * {@code \n} so that the data starts at a multiple of 64 bytes (latin-1 in v1/v2, UTF-8 in v3).
 * The raw array follows, {@code prod(shape)} items.
 *
 * <p>Reading accepts float32 and float64 ({@code <f4 >f4 <f8 >f8}) in C order and returns float32
 * values; float64 is narrowed with {@code (float)}. {@code fortran_order: True} and every other
 * dtype are refused with an {@link IOException} that names the source and the value found.
 * Writing always produces v1.0 (v2.0 if the header would exceed 65535 bytes), {@code '<f4'}, C
 * order.
 *
 * <p>Hand-written although DJL's {@code NDList.decode} also reads {@code .npy}: that needs an
 * engine and an {@code NDManager} and keeps the stored dtype, while the callers here want plain
 * float32 arrays (golden files, the tables {@code posemb} writes, {@code predict --tensor}) and
 * refusals that name the file and the value found.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy.lib.format.ARRAY_ALIGN: the header is padded so data starts at a multiple of 64. */
    private static final int ALIGN = 64;
    /** Largest Java array length the JVMs we run on allocate. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /**
     * An n-dimensional array read from or written to {@code .npy}.
     *
     * @param shape the array shape; {@code {}} for a 0-d scalar; the element count is the product
     * @param data the elements in C (row-major) order, as float32
     * @param dtype the numpy type descriptor found in the file, e.g. {@code "<f8"}, before the
     *     values were converted to float32
     */
    public record Array(long[] shape, float[] data, String dtype) {

        /**
         * Checks that {@code data.length == prod(shape)}.
         *
         * @param shape the array shape, no negative dimension
         * @param data the elements in C order
         * @param dtype the numpy type descriptor
         * @throws IllegalArgumentException if the shape does not match {@code data.length}
         */
        public Array {
            long n = elementCount(shape, "Npy.Array");
            if (n != data.length) {
                throw new IllegalArgumentException(
                        "Npy.Array shape " + Arrays.toString(shape) + " holds " + n
                                + " elements but data has " + data.length);
            }
        }

        /** @return the number of dimensions, {@code shape.length} */
        public int ndim() {
            return shape.length;
        }

        /**
         * Views a 2-D array as rows: {@code out[i][j] = data[i * shape[1] + j]}.
         *
         * @return a new {@code (shape[0], shape[1])} array
         * @throws IllegalStateException if the array is not 2-D
         */
        public float[][] toMatrix() {
            if (shape.length != 2) {
                throw new IllegalStateException(
                        "toMatrix needs a 2-D array, shape is " + Arrays.toString(shape));
            }
            int rows = (int) shape[0];
            int cols = (int) shape[1];
            float[][] out = new float[rows][];
            for (int i = 0; i < rows; i++) {
                out[i] = Arrays.copyOfRange(data, i * cols, (i + 1) * cols);
            }
            return out;
        }
    }

    /**
     * Reads a {@code .npy} file.
     *
     * @param p the file
     * @return shape, float32 data in C order and the dtype descriptor found
     * @throws IOException if the file cannot be read, is not {@code .npy}, is truncated, is in
     *     Fortran order or holds a dtype other than float32/float64
     */
    public static Array read(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return read(in, p.toString());
        }
    }

    /**
     * Reads one {@code .npy} array from a stream; the stream is not closed.
     *
     * @param in the stream, positioned at the magic string
     * @param sourceName a name for error messages (a path or resource name)
     * @return shape, float32 data in C order and the dtype descriptor found
     * @throws IOException as for {@link #read(Path)}
     */
    public static Array read(InputStream in, String sourceName) throws IOException {
        DataInputStream din = new DataInputStream(new BufferedInputStream(in));
        byte[] magic = new byte[MAGIC.length];
        readFully(din, magic, sourceName, "magic string");
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException(sourceName + " is not a .npy file: magic bytes are "
                    + hex(magic) + ", expected 93 4E 55 4D 50 59 (\\x93NUMPY)");
        }
        int major = readByte(din, sourceName);
        int minor = readByte(din, sourceName);
        long headerLen;
        Charset headerCharset;
        if (major == 1) {
            byte[] b = new byte[2];
            readFully(din, b, sourceName, "header length");
            headerLen = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFFL;
            headerCharset = StandardCharsets.ISO_8859_1;
        } else if (major == 2 || major == 3) {
            byte[] b = new byte[4];
            readFully(din, b, sourceName, "header length");
            headerLen = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
            headerCharset = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        } else {
            throw new IOException(sourceName + ": unsupported .npy format version " + major + "."
                    + minor + " (supported: 1.0, 2.0, 3.0)");
        }
        if (headerLen > 1 << 24) {
            throw new IOException(sourceName + ": .npy header length " + headerLen
                    + " bytes is implausible (limit 16 MiB)");
        }
        byte[] hb = new byte[(int) headerLen];
        readFully(din, hb, sourceName, "header of " + headerLen + " bytes");
        String header = new String(hb, headerCharset);

        if (header.matches("(?s).*'descr'\\s*:\\s*\\[.*")) {
            throw new IOException(sourceName + ": unsupported structured dtype in header "
                    + header.strip() + "; only float32 and float64 can be read");
        }
        String descr = find(DESCR, header, "descr", sourceName);
        String fortran = find(FORTRAN, header, "fortran_order", sourceName);
        String shapeText = find(SHAPE, header, "shape", sourceName);
        if (fortran.equals("True")) {
            throw new IOException(sourceName + ": fortran_order=True is not supported (shape ("
                    + shapeText + ")); save with np.ascontiguousarray(a)");
        }
        int itemSize;
        ByteOrder order;
        switch (descr) {
            case "<f4" -> { itemSize = 4; order = ByteOrder.LITTLE_ENDIAN; }
            case ">f4" -> { itemSize = 4; order = ByteOrder.BIG_ENDIAN; }
            case "<f8" -> { itemSize = 8; order = ByteOrder.LITTLE_ENDIAN; }
            case ">f8" -> { itemSize = 8; order = ByteOrder.BIG_ENDIAN; }
            default -> throw new IOException(sourceName + ": unsupported dtype '" + descr
                    + "'; only float32 ('<f4', '>f4') and float64 ('<f8', '>f8') can be read");
        }
        long[] shape = parseShape(shapeText, sourceName);
        long n;
        try {
            n = elementCount(shape, sourceName);
        } catch (ArithmeticException e) {
            throw new IOException(sourceName + ": shape " + Arrays.toString(shape)
                    + " overflows a 64-bit element count", e);
        }
        if (n > MAX_ELEMENTS) {
            throw new IOException(sourceName + ": shape " + Arrays.toString(shape) + " holds " + n
                    + " elements, more than a Java array can (" + MAX_ELEMENTS + ")");
        }
        float[] data = new float[(int) n];
        readData(din, data, itemSize, order, sourceName);
        return new Array(shape, data, descr);
    }

    /**
     * Writes {@code data} as a float32 ({@code '<f4'}) C-order {@code .npy} file, replacing it
     * atomically ({@link AtomicFiles}: never a partial file; the directory must exist). The command
     * line writes its arrays through {@link OutputFile} instead, which first checks the path.
     *
     * @param p the file
     * @param shape the shape; {@code prod(shape)} must equal {@code data.length}
     * @param data the elements in C order
     * @throws IOException if the file cannot be written
     */
    public static void write(Path p, long[] shape, float[] data) throws IOException {
        AtomicFiles.writeBytes(p, toBytes(shape, data));
    }

    /**
     * Encodes {@code data} as the bytes of a float32 ({@code '<f4'}) C-order {@code .npy} file:
     * format 1.0, header padded with spaces and {@code \n} to a multiple of 64 bytes.
     *
     * @param shape the shape; {@code prod(shape)} must equal {@code data.length}
     * @param data the elements in C order
     * @return the complete file contents
     * @throws IllegalArgumentException if the shape has a negative dimension or does not match
     *     {@code data.length}
     */
    public static byte[] toBytes(long[] shape, float[] data) {
        long n = elementCount(shape, "Npy.toBytes");
        if (n != data.length) {
            throw new IllegalArgumentException("Npy.toBytes: shape " + Arrays.toString(shape)
                    + " holds " + n + " elements but data has " + data.length);
        }
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + pythonTuple(shape) + ", }";
        // v1 has a 2-byte length; fall back to v2 (4 bytes) only when the header does not fit.
        int prefix = MAGIC.length + 2 + 2;
        int major = 1;
        int total = pad(prefix + header.length() + 1);
        if (total - prefix > 0xFFFF) {
            prefix = MAGIC.length + 2 + 4;
            major = 2;
            total = pad(prefix + header.length() + 1);
        }
        int headerLen = total - prefix;
        ByteBuffer buf = ByteBuffer.allocate(total + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            buf.putShort((short) headerLen);
        } else {
            buf.putInt(headerLen);
        }
        buf.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (int i = header.length(); i < headerLen - 1; i++) {
            buf.put((byte) ' ');
        }
        buf.put((byte) '\n');
        buf.asFloatBuffer().put(data);
        return buf.array();
    }

    /**
     * Writes {@code data} in {@code .npy} format to a stream; the stream is not closed.
     *
     * @param out the stream
     * @param shape the shape; {@code prod(shape)} must equal {@code data.length}
     * @param data the elements in C order
     * @throws IOException if the stream fails
     */
    public static void write(OutputStream out, long[] shape, float[] data) throws IOException {
        out.write(toBytes(shape, data));
    }

    private static int pad(int len) {
        return (len + ALIGN - 1) / ALIGN * ALIGN;
    }

    private static long elementCount(long[] shape, String where) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        where + ": negative dimension " + d + " in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static long[] parseShape(String text, String sourceName) throws IOException {
        String t = text.trim();
        if (t.isEmpty()) {
            return new long[0];
        }
        String[] parts = t.split(",");
        int count = parts[parts.length - 1].isBlank() ? parts.length - 1 : parts.length;
        long[] shape = new long[count];
        for (int i = 0; i < count; i++) {
            try {
                shape[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IOException(sourceName + ": cannot parse shape (" + text + ")", e);
            }
            if (shape[i] < 0) {
                throw new IOException(sourceName + ": negative dimension in shape (" + text + ")");
            }
        }
        return shape;
    }

    private static void readData(DataInputStream in, float[] data, int itemSize, ByteOrder order,
            String sourceName) throws IOException {
        final int chunkItems = 1 << 16;
        byte[] chunk = new byte[chunkItems * itemSize];
        int done = 0;
        while (done < data.length) {
            int items = Math.min(chunkItems, data.length - done);
            int bytes = items * itemSize;
            int got = in.readNBytes(chunk, 0, bytes);
            if (got < bytes) {
                throw new EOFException(sourceName + ": truncated .npy data: expected "
                        + (long) data.length * itemSize + " bytes for " + data.length
                        + " elements, got " + ((long) done * itemSize + got));
            }
            ByteBuffer bb = ByteBuffer.wrap(chunk, 0, bytes).order(order);
            if (itemSize == 4) {
                bb.asFloatBuffer().get(data, done, items);
            } else {
                for (int i = 0; i < items; i++) {
                    data[done + i] = (float) bb.getDouble();
                }
            }
            done += items;
        }
    }

    private static String find(Pattern p, String header, String key, String sourceName)
            throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(sourceName + ": .npy header has no '" + key + "' entry: "
                    + header.strip());
        }
        return m.group(1);
    }

    private static int readByte(DataInputStream in, String sourceName) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException(sourceName + ": truncated .npy file: no version bytes");
        }
        return b;
    }

    private static void readFully(DataInputStream in, byte[] b, String sourceName, String what)
            throws IOException {
        int got = in.readNBytes(b, 0, b.length);
        if (got < b.length) {
            throw new EOFException(sourceName + ": truncated .npy file: " + what + " needs "
                    + b.length + " bytes, got " + got);
        }
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            if (i > 0) {
                s.append(' ');
            }
            s.append(String.format("%02X", b[i] & 0xFF));
        }
        return s.toString();
    }

    /** Python's repr of a tuple of ints: {@code ()}, {@code (3,)}, {@code (3, 4)}. */
    private static String pythonTuple(long[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return s.append(shape.length == 1 ? ",)" : ")").toString();
    }
}
