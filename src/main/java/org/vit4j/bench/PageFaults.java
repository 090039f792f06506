package org.vit4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's minor page faults so far, from {@code /proc/self/stat} (field 10, {@code
 * minflt}): a page touched for the first time since it was mapped. A forward pass that allocates
 * its large activations as fresh {@code mmap}s (glibc's default above 32 MiB, and whatever the
 * dynamic threshold has not learned) pays one fault per 4 KiB page, every pass; one that reuses
 * the heap's memory pays almost none.
 */
public final class PageFaults {

    private PageFaults() {}

    /** @return minor faults of this process so far, or -1 where {@code /proc/self/stat} is not readable */
    public static long minor() {
        try {
            return parseMinor(Files.readString(Path.of("/proc/self/stat")));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    /**
     * Field 10 of a {@code /proc/PID/stat} line; the command name (field 2) is in parentheses and
     * may hold spaces, so fields are counted after its closing parenthesis.
     *
     * @param stat the line
     * @return minflt
     * @throws IllegalArgumentException if the line has too few fields
     */
    static long parseMinor(String stat) {
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        if (rest.length < 8) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        return Long.parseLong(rest[7]); // fields 3.. are rest[0..]: state, ppid, pgrp, session, tty, tpgid, flags, minflt
    }
}
