import ai.djl.Device;
import java.util.List;
import java.util.stream.IntStream;
import org.vit4j.bench.ForwardBenchmark;
import org.vit4j.model.Variant;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/**
 * ViT-Ti/16 forward passes (random weights, 224×224) for a while, to be sampled by Java Flight
 * Recorder: profile_forward.sh turns the samples into each operator's share of the wall time.
 * Arguments: batch size, seconds.
 */
public class ForwardProfile {
    public static void main(String[] args) {
        ViTConfig cfg = Variant.TINY.toBuilder().build();
        List<String> labels = IntStream.range(0, cfg.architecture().numClasses()).mapToObj(i -> "class " + i).toList();
        try (VitModel m = VitModel.create(cfg, labels, Device.cpu(), 0)) {
            ForwardBenchmark.Result r = ForwardBenchmark.forward(m, 224, 224, Integer.parseInt(args[0]),
                    Double.parseDouble(args[1]));
            System.out.printf("batch %d: %.1f images/s over %d passes%n", r.batchSize(), r.imagesPerSecond(), r.passes());
        }
    }
}
