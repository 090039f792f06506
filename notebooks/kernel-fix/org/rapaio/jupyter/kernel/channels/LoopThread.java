package org.rapaio.jupyter.kernel.channels;

/**
 * Replacement for rapaio-jupyter-kernel 3.0.1's {@code LoopThread}, put ahead of the kernel jar on
 * the class path by {@code notebooks/run_notebooks.sh}.
 *
 * <p>Two races in 3.0.1 can leave the shell channel without a thread, and then the kernel never
 * answers {@code kernel_info_request} and Jupyter gives up ("Kernel didn't respond"); on a busy
 * machine that happened to every second or third kernel start:
 * <ul>
 *   <li>{@code start()} calls {@code super.start()} and only then sets {@code running = true}; a
 *       thread that reaches {@code while (running)} first exits at once. Here the flag is set first.
 *   <li>The channels start polling before the kernel has registered its message handlers, so a
 *       request that is already waiting (Jupyter sends {@code kernel_info_request} as soon as it
 *       connects) throws in the loop body and the exception ends the thread. Here the exception is
 *       printed and the loop goes on; Jupyter repeats {@code kernel_info_request} until answered.
 * </ul>
 * Constructor, fields and loop are otherwise as in 3.0.1. A modified copy of a class of
 * rapaio-jupyter-kernel (io.github.padreati), used under that project's licence; worth reporting
 * upstream so that this file can go.
 */
public final class LoopThread extends Thread {

    private volatile boolean running;
    private final long sleep;
    private final Runnable loopBody;

    /**
     * @param name thread name
     * @param sleep pause between two runs of the body, in milliseconds
     * @param loopBody one iteration of the loop
     */
    public LoopThread(String name, long sleep, Runnable loopBody) {
        super(name);
        this.running = false;
        this.sleep = sleep;
        this.loopBody = loopBody;
    }

    @Override
    public void run() {
        while (running) {
            try {
                loopBody.run();
            } catch (RuntimeException e) {
                System.err.println(getName() + ": " + e); // keep polling: see the class comment
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                running = false;
                return;
            }
        }
    }

    @Override
    public synchronized void start() {
        running = true; // before the thread can read it
        super.start();
    }

    /** Stops the loop after the current iteration. */
    public void shutdown() {
        running = false;
    }
}
