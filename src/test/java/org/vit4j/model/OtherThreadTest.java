package org.vit4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models load and run on threads other than the one that started DJL's engine, where libtorch's
 * grad mode is on (a Spark executor's task threads, a server's request threads).
 */
class OtherThreadTest {

    @TempDir
    Path tmp;

    @Test
    void aModelLoadsAndAnswersTheSameOnAFreshThread() throws Exception {
        ViTConfig config = Variant.MICRO.toBuilder().build();
        float[] here;
        try (VitModel model = TestModels.create(config, 3); NDManager m = model.newManager()) {
            model.save(tmp.resolve("m"));
            here = model.forward(TestModels.images(m, 1, VitModel.inputShape(config, 2))).get(0).toFloatArray();
        }
        AtomicReference<float[]> there = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                JniUtils.setGradMode(true); // as on any thread DJL did not start on
                try (VitModel model = VitModel.load(tmp.resolve("m"), Device.cpu()); NDManager m = model.newManager()) {
                    there.set(model.forward(TestModels.images(m, 1, VitModel.inputShape(config, 2))).get(0).toFloatArray());
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        assertNull(failure.get(), () -> String.valueOf(failure.get()));
        assertArrayEquals(here, there.get());
    }
}
