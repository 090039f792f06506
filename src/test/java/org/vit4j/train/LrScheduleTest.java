package org.vit4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Warm-up and cosine values of {@link LrSchedule} worked out by hand. */
class LrScheduleTest {

    // peak 1e-3, min 1e-5, 4 warm-up steps, 15 steps: 11 decay steps, t = (step - 4) / 10
    private final LrSchedule s = new LrSchedule(1e-3, 1e-5, 4, 15);

    @Test
    void warmUpIsLinearFromPeakOverWarmupToPeak() {
        assertEquals(0.25e-3, s.at(0), 1e-15);
        assertEquals(0.50e-3, s.at(1), 1e-15);
        assertEquals(0.75e-3, s.at(2), 1e-15);
        assertEquals(1e-3, s.at(3), 1e-15);
    }

    @Test
    void cosineDecaysFromPeakToMin() {
        assertEquals(1e-3, s.at(4), 1e-15); // t = 0
        assertEquals((1e-3 + 1e-5) / 2, s.at(9), 1e-15); // t = 1/2: cos = 0
        // t = 1/10: min + (peak - min)(1 + cos(pi/10))/2 = 1e-5 + 0.99e-3 * 0.975528258...
        assertEquals(1e-5 + 0.99e-3 * (1 + 0.9510565162951535) / 2, s.at(5), 1e-15);
        assertEquals(1e-5, s.at(14), 1e-15); // last step: t = 1
        assertEquals(1e-5, s.at(100), 1e-15); // beyond the end it stays at min
        for (long i = 5; i < 15; i++) {
            assertTrue(s.at(i) < s.at(i - 1), "decreasing at " + i);
        }
    }

    @Test
    void noWarmupStartsAtPeakAndOneStepRunsEndAtMin() {
        LrSchedule none = new LrSchedule(2e-3, 0, 0, 3);
        assertEquals(2e-3, none.at(0), 1e-15);
        assertEquals(1e-3, none.at(1), 1e-15);
        assertEquals(0, none.at(2), 1e-15);
        assertEquals(1e-4, new LrSchedule(1e-3, 1e-4, 0, 1).at(0), 1e-15);
    }

    @Test
    void refusesInconsistentNumbers() {
        assertEquals("need 0 <= warmupSteps <= totalSteps and totalSteps > 0, got warmup 5 total 4",
                assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1e-3, 0, 5, 4)).getMessage());
        assertEquals("learning rates must satisfy 0 <= minLr <= peakLr and peakLr > 0, got peak 0.001 min 0.01",
                assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1e-3, 1e-2, 0, 4)).getMessage());
    }
}
