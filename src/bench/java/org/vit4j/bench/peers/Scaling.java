package org.vit4j.bench.peers;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.vit4j.bench.ForwardBenchmark;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;

/**
 * vit4j forward time over image size and batch size: ViT-Ti/16 with random weights, configured at
 * each size (so the learned position table is the model's own, not resampled per call), timed with
 * {@link ForwardBenchmark#forward} (median of passes after a warm-up). A plain runner: one pass at
 * 512×512, batch 32 takes seconds, which JMH's fixed iteration times handle badly.
 */
final class Scaling {

    /**
     * A cell of the table.
     *
     * @param size image side
     * @param tokens tokens per image (with the class token)
     * @param batch B
     * @param result the measurement
     */
    record Cell(int size, int tokens, int batch, ForwardBenchmark.Result result) {
        /** @return median milliseconds per pass */
        double msPerPass() {
            return 1000.0 * batch / result.imagesPerSecond();
        }
    }

    private Scaling() {}

    /**
     * Measures every size × batch.
     *
     * @param sizes image sides
     * @param batches batch sizes
     * @param seconds measuring time per cell
     * @return the cells, size-major
     */
    static List<Cell> run(int[] sizes, int[] batches, double seconds) {
        List<Cell> cells = new ArrayList<>();
        for (int s : sizes) {
            ViTConfig cfg = Variant.TINY.toBuilder().setImageSize(s, s).build();
            List<String> labels =
                    IntStream.range(0, cfg.architecture().numClasses()).mapToObj(i -> "class " + i).toList();
            try (VitModel m = VitModel.create(cfg, labels, Device.cpu(), 0)) {
                for (int b : batches) {
                    BenchMain.log("scaling: %dx%d batch %d", s, s, b);
                    ForwardBenchmark.Result r = ForwardBenchmark.forward(m, s, s, b, seconds);
                    cells.add(new Cell(s, cfg.architecture().grid().size() + cfg.architecture().prefixTokens(), b, r));
                }
            }
        }
        return cells;
    }
}
