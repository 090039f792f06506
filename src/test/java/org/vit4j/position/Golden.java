package org.vit4j.position;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import org.vit4j.io.Npy;

/** Loads the golden {@code .npy} fixtures in {@code src/test/resources/position/}. */
final class Golden {

    private Golden() {}

    /** Reads {@code /position/<name>} as a 2-D table. */
    static float[][] load(String name) throws IOException {
        String resource = "/position/" + name;
        try (InputStream in = Golden.class.getResourceAsStream(resource)) {
            assertNotNull(in, "missing fixture " + resource + "; run the make_golden_*.py scripts");
            Npy.Array a = Npy.read(in, resource);
            assertEquals(2, a.ndim(), resource + " shape");
            return a.toMatrix();
        }
    }

    /** Asserts equal shapes and {@code |expected - actual| <= tol} everywhere, naming the first bad cell. */
    static void assertClose(float[][] expected, float[][] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": rows");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i].length, actual[i].length, what + ": width of row " + i);
            for (int j = 0; j < expected[i].length; j++) {
                double err = Math.abs(expected[i][j] - actual[i][j]);
                worst = Math.max(worst, err);
                if (!(err <= tol)) {
                    assertArrayEquals(expected[i], actual[i], (float) tol,
                            what + ": row " + i + " column " + j + " differs by " + err);
                }
            }
        }
        assertTrue(worst <= tol, what + ": max error " + worst);
    }
}
