/*
 * A modified copy of org.rapaio.jupyter.kernel.channels.LoopThread from rapaio-jupyter-kernel 2.3.0
 * and 3.0.1 (io.github.padreati:rapaio-jupyter-kernel; the class is the same in both), under that
 * project's MIT licence (its file LICENCE):
 *
 * The MIT License (MIT)
 *
 * Copyright 2023 Aurelian Tutuianu
 *
 * Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
 * associated documentation files (the "Software"), to deal in the Software without restriction,
 * including without limitation the rights to use, copy, modify, merge, publish, distribute,
 * sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
 * furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in all copies or
 * substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
 * NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
 * NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
 * DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT
 * OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
 */
package org.rapaio.jupyter.kernel.channels;

/**
 * Replacement for rapaio-jupyter-kernel's {@code LoopThread} (2.3.0, the version
 * {@code notebooks/run_notebooks.sh} uses, and 3.0.1 have the same class), put ahead of the kernel jar
 * on the class path by that script.
 *
 * <p>Two races can leave the shell channel without a thread, and then the kernel never answers
 * {@code kernel_info_request} and Jupyter gives up ("Kernel didn't respond"); on a busy machine that
 * happened to every second or third kernel start:
 * <ul>
 *   <li>{@code start()} calls {@code super.start()} and only then sets {@code running = true}; a
 *       thread that reaches {@code while (running)} first exits at once. Here the flag is set first.
 *   <li>The channels start polling before the kernel has registered its message handlers, so a
 *       request that is already waiting (Jupyter sends {@code kernel_info_request} as soon as it
 *       connects) throws in the loop body and the exception ends the thread. Here the exception is
 *       printed and the loop goes on; Jupyter repeats {@code kernel_info_request} until answered.
 * </ul>
 * Constructor, fields and loop are otherwise as in the kernel. Maven Central has 2.3.0 and 3.0.1
 * (checked 2026-12-01 with {@code mvn -U dependency:get}; 3.0.2 to 3.0.4 are tagged upstream but not
 * published); the script uses 2.3.0 because its classes target Java 17 (class file version 61) while
 * 3.0.1's need Java 21. The upstream source at 3.0.4 has both races (the flag set after
 * {@code super.start()}, no catch around the loop body): when a release fixes them, raise
 * {@code KERNEL_VERSION} in {@code run_notebooks.sh} and delete this file. The upstream licence (MIT)
 * is at the top of this file.
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
