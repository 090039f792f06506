package org.vit4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's pure parts: when a warm-up has settled, a trace's operator table, /proc/self/stat's minflt. */
class BenchToolsTest {

    @Test
    void warmUpSettlesWhenTheLastThreePassesMatchTheThreeBefore() {
        assertFalse(WarmUp.settled(List.of(1.0, 1.0, 1.0, 1.0, 1.0)), "fewer than 6 passes");
        assertTrue(WarmUp.settled(List.of(9.0, 5.0, 1.0, 1.0, 1.02, 0.99, 1.01, 1.0)));
        assertFalse(WarmUp.settled(List.of(9.0, 5.0, 3.0, 2.0, 1.5, 1.2)), "still getting faster");
        // a slow outlier in a window does not move its median
        assertTrue(WarmUp.settled(List.of(1.0, 1.0, 5.0, 1.0, 1.04, 1.0)));
        assertFalse(WarmUp.settled(List.of(1.0, 1.0, 1.0, 1.2, 1.2, 1.0)), "median 1.2 vs 1.0");
        int[] calls = {0};
        WarmUp.Outcome o = WarmUp.run(() -> calls[0]++, 0);
        assertEquals(WarmUp.MIN_PASSES, calls[0], "at least MIN_PASSES passes even with no time");
        assertEquals(calls[0], o.seconds().size());
    }

    @Test
    void selfTimeIsTimeLessTheChildrensOnTheSameThread() {
        JsonArray events = JsonParser.parseString("""
                [{"name": "aten::linear", "ph": "X", "ts": 0, "dur": 10, "tid": 1},
                 {"name": "aten::addmm", "ph": "X", "ts": 1, "dur": 8, "tid": 1},
                 {"name": "aten::empty", "ph": "X", "ts": 2, "dur": 1, "tid": 1},
                 {"name": "aten::linear", "ph": "X", "ts": 20, "dur": 4, "tid": 1},
                 {"name": "aten::addmm", "ph": "X", "ts": 5, "dur": 2, "tid": 2},
                 {"name": "marker", "ph": "i", "ts": 3, "tid": 1}]""").getAsJsonArray();
        List<OperatorProfile.Row> rows = OperatorProfile.rows(events);
        assertEquals(List.of(
                new OperatorProfile.Row("aten::addmm", 2, 0.010, 0.009),
                new OperatorProfile.Row("aten::linear", 2, 0.014, 0.006),
                new OperatorProfile.Row("aten::empty", 1, 0.001, 0.001)), rows);
        String table = OperatorProfile.table(rows, 2, 2);
        assertTrue(table.contains("| aten::addmm | 1 | 0.00 | 56."), table); // 9 of 16 us of self time
        assertTrue(table.contains("| all operators | | 0.01 | 100 % | |"), table);
        assertFalse(table.contains("aten::empty"), "only the top 2");
    }

    @Test
    void growthIsMeasuredFromTheLastWarmUpSampleAndOnlyAfterIt() {
        SoakBenchmark.Result r = new SoakBenchmark.Result(7000, 1000, List.of(90L, 95L, 98L, 99L, 100L, 101L, 102L), 1.0);
        assertEquals(0.02, r.growthAfter(5).getAsDouble(), 1e-12); // (102 - 100) / 100
        SoakBenchmark.Result short1 = new SoakBenchmark.Result(1000, 1000, List.of(100L), 1.0);
        assertTrue(short1.growthAfter(5).isEmpty(), "a soak within its warm-up has no growth (not NaN)");
        assertTrue(new SoakBenchmark.Result(5000, 1000, List.of(1L, 2L, 3L, 4L, 5L), 1.0).growthAfter(5).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> r.growthAfter(0));
    }

    @Test
    void minorFaultsAreField10EvenWithSpacesInTheCommandName() {
        assertEquals(1234, PageFaults.parseMinor("4242 (java thread (x)) S 1 4242 4242 0 -1 4194560 1234 0 5 0 7 3"));
        assertThrows(IllegalArgumentException.class, () -> PageFaults.parseMinor("1 (x) S 1 2"));
        assertTrue(PageFaults.minor() != 0, "this process has faulted pages in (or -1 where there is no /proc)");
    }
}
