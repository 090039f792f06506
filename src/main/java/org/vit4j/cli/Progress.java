package org.vit4j.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr: done/total, rate and time left. Silent when stderr is not a
 * terminal or with {@code --quiet}.
 */
final class Progress {

    private final PrintWriter err;
    private final boolean on;
    private final String what;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;

    Progress(PrintWriter err, boolean quiet, String what, long total) {
        this.err = err;
        this.on = !quiet && System.console() != null && !"dumb".equals(System.getenv("TERM"));
        this.what = what;
        this.total = total;
    }

    void update(long done, String extra) {
        if (!on) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && done < total) {
            return;
        }
        lastDraw = now;
        double secs = (now - start) / 1e9;
        double rate = secs > 0 ? done / secs : 0;
        int width = 30;
        int filled = total > 0 ? (int) (width * Math.min(1.0, (double) done / total)) : 0;
        long eta = rate > 0 && total > 0 ? Math.round((total - done) / rate) : 0;
        err.printf(Locale.ROOT, "\r%s [%s%s] %d/%d %.1f/s ETA %d:%02d %s", what, "#".repeat(filled),
                " ".repeat(width - filled), done, total, rate, eta / 60, eta % 60, extra == null ? "" : extra);
        err.flush();
    }

    void finish() {
        if (on) {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
