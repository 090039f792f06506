package org.vit4j.compiled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

/** {@link BatchParts}: parsing, {@code auto}'s rule, and how a batch is cut. */
class BatchPartsTest {

    @Test
    void parsesAutoAndPositiveCounts() {
        assertTrue(BatchParts.parse("auto").isAuto());
        assertTrue(BatchParts.parse(" AUTO ").isAuto());
        assertEquals(BatchParts.of(3), BatchParts.parse("3"));
        assertEquals("auto", BatchParts.AUTO.toString());
        assertEquals("2", BatchParts.of(2).toString());
        for (String bad : new String[] {"0", "-1", "two", "", "1.5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BatchParts.parse(bad));
            assertEquals("expected a positive number of parts or auto, got '" + bad + "'", e.getMessage());
        }
        assertEquals("batch parts must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> BatchParts.of(0)).getMessage());
    }

    @Test
    void autoComputesWholeBatches() {
        assertEquals(new BatchParts.Choice(1, "auto: whole batches (parts were slower for inference where measured)"),
                BatchParts.AUTO.resolve(Device.cpu()));
        assertEquals(1, BatchParts.AUTO.resolve(Device.gpu()).max());
        assertEquals(new BatchParts.Choice(3, "3 requested"), BatchParts.of(3).resolve(Device.gpu()));
    }

    @Test
    void aBatchOfOneIsNeverSplitNorCutIntoMorePartsThanImages() {
        BatchParts.Choice c = new BatchParts.Choice(4, "test");
        assertEquals(1, c.partsFor(1));
        assertEquals(2, c.partsFor(2));
        assertEquals(4, c.partsFor(4));
        assertEquals(4, c.partsFor(100));
        assertEquals(1, BatchParts.Choice.ONE.partsFor(100));
    }
}
