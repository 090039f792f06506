package org.vit4j.compiled;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Keeps glibc's malloc from handing large tensors back to the kernel after every forward pass.
 *
 * <p>By default glibc serves an allocation above its mmap threshold (128 KiB, raised dynamically up
 * to 32 MiB) with a fresh {@code mmap} and unmaps it on free, and trims free memory at the top of
 * the heap above 128 KiB. A forward pass allocates its activations anew each time (ViT-B at batch
 * 32: tensors of 58 and 77 MiB in every block), so each pass zero-fills them again page by page:
 * about 11 000 minor page faults per pass for ViT-Ti at batch 16 (43 MiB of fresh pages), which
 * makes large batches slower per image than small ones. With mmap off and a high trim threshold
 * the freed memory stays in the heap and the next pass reuses it: 5 faults per pass (measured with
 * {@code vit4j bench --variant tiny --batch-size 16}, which prints minor page faults per pass). The
 * cost: the process keeps its peak heap (one pass's working set) instead of returning it.
 *
 * <p>The same holds for training, and more so: a training step allocates its activations and their
 * gradients anew (fashion-small at batch 128: thousands of fresh pages per step without these
 * settings), and a thread's allocations grow its heap in small pieces unless {@code M_TOP_PAD} makes
 * each growth large. Measured on a 2-core AMD EPYC (family 26) virtual machine, where a page fault
 * is expensive: the compiled fashion-small training step on one thread took 284 ms with the first
 * two settings and 207 ms with all three (minor faults per step: about 8 000 and under 1 600).
 *
 * <p>{@link #apply()} does this once per process, through {@code mallopt} (JNA), when the first
 * compiled forward or training step is built: {@code M_MMAP_MAX = 0}, {@code M_TRIM_THRESHOLD = 2
 * GiB - 1} (the largest value {@code mallopt}'s int takes), {@code M_TOP_PAD = 256 MiB} (address
 * space; pages count only once touched), so an application that embeds vit4j needs no launcher or
 * environment for them. The same settings as environment variables, set before the JVM starts, are
 * {@code MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=268435456}. They are
 * skipped where any of these variables is already set (the process's owner chose), where the C
 * library is not glibc on Linux, or with the system property {@code -Dvit4j.malloc=default} (an
 * application that wants glibc's defaults back, e.g. to return memory to the system between rare
 * large batches).
 *
 * <p>Threads other than the process's first allocate from arenas of their own, each a chain of
 * mmap'd heaps of at most 64 MiB, and glibc unmaps such a heap as soon as everything in it is
 * free, whatever the trim threshold. The JVM runs Java code on such threads, so at large batches
 * the activations' pages were mapped anew every pass: ViT-B/16 at batch 32 took 227 000 minor page
 * faults per pass and ran at 5.9 images/s, against 4 900 faults and 9.0 images/s with one arena for
 * the whole process ({@code MALLOC_ARENA_MAX=1}; {@code vit4j bench --variant base --batch-size 32
 * --batch-parts 1}, 2-core AMD EPYC family 26). That limit only holds from the process's start (a
 * thread keeps the arena it was given at its first allocation, and {@code mallopt(M_ARENA_MAX)}
 * once the JVM runs changed nothing, measured), so it is an environment variable: the launcher
 * exports {@code MALLOC_ARENA_MAX=1}, and an application that embeds vit4j sets it where it starts
 * its JVM. {@link #apply()}'s outcome says whether it is set.
 */
public final class HeapReuse {

    /** System property that turns this off: {@code -Dvit4j.malloc=default}. */
    public static final String PROPERTY = "vit4j.malloc";

    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    /** Extra bytes the heap grows by whenever it must grow: 256 MiB of address space, touched only when used. */
    static final int TOP_PAD = 256 << 20;
    private static final int M_MMAP_MAX = -4;

    private static String outcome;

    private HeapReuse() {}

    /** glibc's {@code mallopt}. */
    private interface LibC extends Library {
        int mallopt(int param, int value);
    }

    /**
     * Applies the settings once per process (later calls return the first outcome).
     *
     * @return what happened, e.g. {@code mallopt: M_MMAP_MAX=0, M_TRIM_THRESHOLD=2147483647}
     */
    public static synchronized String apply() {
        if (outcome == null) {
            outcome = tryApply();
        }
        return outcome;
    }

    private static String tryApply() {
        String heap = heapSettings();
        String arenas = System.getenv("MALLOC_ARENA_MAX");
        return heap + (arenas != null ? "; MALLOC_ARENA_MAX=" + arenas
                : "; MALLOC_ARENA_MAX unset (a heap per thread, unmapped when free)");
    }

    private static String heapSettings() {
        if ("default".equals(System.getProperty(PROPERTY))) {
            return "glibc defaults (-D" + PROPERTY + "=default)";
        }
        if (System.getenv("MALLOC_MMAP_MAX_") != null || System.getenv("MALLOC_TRIM_THRESHOLD_") != null
                || System.getenv("MALLOC_TOP_PAD_") != null) {
            return "environment: MALLOC_MMAP_MAX_=" + System.getenv("MALLOC_MMAP_MAX_") + " MALLOC_TRIM_THRESHOLD_="
                    + System.getenv("MALLOC_TRIM_THRESHOLD_") + " MALLOC_TOP_PAD_=" + System.getenv("MALLOC_TOP_PAD_");
        }
        if (!Platform.isLinux() || Platform.isAndroid()) {
            return "not Linux: the C library's defaults";
        }
        try {
            LibC c = Native.load("c", LibC.class);
            boolean ok = c.mallopt(M_MMAP_MAX, 0) == 1 & c.mallopt(M_TRIM_THRESHOLD, Integer.MAX_VALUE) == 1
                    & c.mallopt(M_TOP_PAD, TOP_PAD) == 1;
            return ok ? "mallopt: M_MMAP_MAX=0, M_TRIM_THRESHOLD=" + Integer.MAX_VALUE + ", M_TOP_PAD=" + TOP_PAD
                    : "mallopt refused: C library defaults";
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return "no mallopt (" + e.getClass().getSimpleName() + "): C library defaults";
        }
    }
}
