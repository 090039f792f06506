package org.vit4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fixtures in src/test/resources/io/ were written by numpy 1.24 (make_npy_fixtures.py). */
class NpyTest {

    /** arange(6).reshape(2, 3) / 4 + 0.5, exact in float32. */
    private static final float[] VALUES = {0.5f, 0.75f, 1.0f, 1.25f, 1.5f, 1.75f};

    private static Npy.Array fixture(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream("/io/" + name)) {
            assertNotNull(in, "missing fixture /io/" + name);
            return Npy.read(in, name);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"f64_le_2x3.npy", "f32_le_2x3.npy", "f32_be_2x3.npy", "f64_be_2x3.npy",
        "f32_v2_2x3.npy"})
    void readsNumpyWrittenFloatFiles(String name) throws IOException {
        Npy.Array a = fixture(name);
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertArrayEquals(VALUES, a.data(), 0f);
        assertArrayEquals(new float[][] {{0.5f, 0.75f, 1.0f}, {1.25f, 1.5f, 1.75f}}, a.toMatrix());
    }

    @Test
    void reportsTheDtypeFound() throws IOException {
        assertEquals("<f8", fixture("f64_le_2x3.npy").dtype());
        assertEquals(">f4", fixture("f32_be_2x3.npy").dtype());
    }

    @Test
    void readsScalarAndEmpty() throws IOException {
        Npy.Array s = fixture("f32_scalar.npy");
        assertArrayEquals(new long[0], s.shape());
        assertArrayEquals(new float[] {2.5f}, s.data(), 0f);
        Npy.Array e = fixture("f32_empty_0x4.npy");
        assertArrayEquals(new long[] {0, 4}, e.shape());
        assertEquals(0, e.data().length);
    }

    @Test
    void writesExactlyWhatNumpyWrites() throws IOException {
        // np.save of a '<f4' (2, 3) array: same 128-byte header, same data bytes
        byte[] numpy;
        try (InputStream in = NpyTest.class.getResourceAsStream("/io/f32_le_2x3.npy")) {
            numpy = in.readAllBytes();
        }
        assertArrayEquals(numpy, Npy.toBytes(new long[] {2, 3}, VALUES));
    }

    @Test
    void roundTripThroughAFile(@TempDir Path dir) throws IOException {
        float[] data = new float[3 * 1 * 5];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) Math.sin(i) * 1e-3f - i;
        }
        for (long[] shape : new long[][] {{3, 1, 5}, {15}, {}}) {
            float[] d = shape.length == 0 ? new float[] {-7.25f} : data;
            Path p = dir.resolve("t" + shape.length + ".npy");
            Npy.write(p, shape, d);
            byte[] bytes = Files.readAllBytes(p);
            assertEquals(0, (bytes.length - 4 * d.length) % 64, "header is padded to 64 bytes");
            Npy.Array a = Npy.read(p);
            assertArrayEquals(shape, a.shape());
            assertArrayEquals(d, a.data(), 0f);
            assertEquals("<f4", a.dtype());
        }
        String header = new String(Npy.toBytes(new long[] {15}, data), 10, 60, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (15,), }"), header);
    }

    @Test
    void refusesInt64NamingTheDtype() {
        IOException e = assertThrows(IOException.class, () -> fixture("i64_2x3.npy"));
        assertEquals("i64_2x3.npy: unsupported dtype '<i8'; only float32 ('<f4', '>f4') and "
                + "float64 ('<f8', '>f8') can be read", e.getMessage());
    }

    @Test
    void refusesFortranOrder() {
        IOException e = assertThrows(IOException.class, () -> fixture("f32_fortran_2x3.npy"));
        assertEquals("f32_fortran_2x3.npy: fortran_order=True is not supported (shape (2, 3)); "
                + "save with np.ascontiguousarray(a)", e.getMessage());
    }

    @Test
    void refusesBadMagic() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0};
        IOException e = assertThrows(IOException.class,
                () -> Npy.read(new ByteArrayInputStream(png), "cat.png"));
        assertEquals("cat.png is not a .npy file: magic bytes are 89 50 4E 47 0D 0A, expected "
                + "93 4E 55 4D 50 59 (\\x93NUMPY)", e.getMessage());
    }

    @Test
    void refusesTruncatedData() {
        byte[] full = Npy.toBytes(new long[] {2, 3}, VALUES);
        byte[] cut = Arrays.copyOf(full, full.length - 5);
        EOFException e = assertThrows(EOFException.class,
                () -> Npy.read(new ByteArrayInputStream(cut), "cut.npy"));
        assertEquals("cut.npy: truncated .npy data: expected 24 bytes for 6 elements, got 19",
                e.getMessage());
    }

    @Test
    void refusesStructuredDtype() {
        String h = "{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }";
        byte[] hb = (h + " ".repeat(128 - 10 - h.length() - 1) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = new byte[10 + hb.length + 4];
        System.arraycopy(Npy.toBytes(new long[] {1}, new float[] {1}), 0, b, 0, 8);
        b[8] = (byte) hb.length;
        System.arraycopy(hb, 0, b, 10, hb.length);
        IOException e = assertThrows(IOException.class,
                () -> Npy.read(new ByteArrayInputStream(b), "rec.npy"));
        assertEquals("rec.npy: unsupported structured dtype in header " + h
                + "; only float32 and float64 can be read", e.getMessage());
    }

    @Test
    void refusesUnknownVersion() {
        byte[] b = Npy.toBytes(new long[] {1}, new float[] {1});
        b[6] = 4;
        IOException e = assertThrows(IOException.class,
                () -> Npy.read(new ByteArrayInputStream(b), "v4.npy"));
        assertEquals("v4.npy: unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)",
                e.getMessage());
    }

    @Test
    void writeRefusesShapeDataMismatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.toBytes(new long[] {2, 4}, VALUES));
        assertEquals("Npy.toBytes: shape [2, 4] holds 8 elements but data has 6", e.getMessage());
    }
}
