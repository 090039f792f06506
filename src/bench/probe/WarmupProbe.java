import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.stream.IntStream;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.Precision;
import org.vit4j.model.Variant;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/**
 * How long the compiled forward takes to load and how slow its first calls at a new shape are
 * (TorchScript's profiling JIT), for ViT-Ti/16 at 224 with random weights. Prints one line per
 * measurement. Run by warmup_probe.sh.
 */
public class WarmupProbe {
    public static void main(String[] args) {
        Precision precision = Precision.fromName(args.length > 0 ? args[0] : "fp32");
        ViTConfig cfg = Variant.TINY.toBuilder().build();
        List<String> labels = IntStream.range(0, cfg.architecture().numClasses()).mapToObj(i -> "c" + i).toList();
        try (VitModel model = VitModel.create(cfg, labels, Device.cpu(), 0)) {
            long t0 = System.nanoTime();
            try (InferenceForward f = InferenceForward.of(model, ForwardEngine.COMPILED, precision)) {
                System.out.printf("load (write archive, compile, load weights, 2 warm-up passes at batch 1): %.0f ms, %s%n",
                        (System.nanoTime() - t0) / 1e6, f.describe());
                for (int[] s : new int[][] {{1, 224}, {8, 224}, {1, 192}}) {
                    StringBuilder line = new StringBuilder(String.format("batch %d at %dx%d, ms per call:", s[0], s[1], s[1]));
                    for (int i = 0; i < 6; i++) {
                        try (NDManager m = model.newManager()) {
                            NDArray x = m.randomNormal(new Shape(s[0], 3, s[1], s[1]));
                            long c0 = System.nanoTime();
                            f.forward(x).get(0).toFloatArray();
                            line.append(String.format(" %.0f", (System.nanoTime() - c0) / 1e6));
                        }
                    }
                    System.out.println(line);
                }
            }
        }
    }
}
