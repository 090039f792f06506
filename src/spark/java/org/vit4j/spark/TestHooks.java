package org.vit4j.spark;

import java.util.function.LongConsumer;

/**
 * Test-only fault injection: tests in this package set {@link #afterRow} to make a task fail
 * mid-partition (in local mode the tasks run in the test's JVM). Always {@code null} in a real job.
 */
final class TestHooks {

    /** Called after each output row with the number of rows the partition has emitted so far. */
    static volatile LongConsumer afterRow;

    private TestHooks() {}
}
