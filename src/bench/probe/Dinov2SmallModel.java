import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.Precision;
import org.vit4j.model.Variant;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/**
 * Writes a model directory with random weights shaped like DINOv2-S but at ViT-S/16's patch and
 * size, so that its forward differs from {@code --variant small} only in DINOv2's additions: width
 * 384, depth 12, 6 heads, 224 px, patch 16, 4 register tokens, LayerScale (init 1e-5). Prints the
 * engine the compiled forward chooses for it. Run by dinov2_small_bench.sh.
 */
public class Dinov2SmallModel {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        ViTConfig cfg = Variant.SMALL.toBuilder().optRegisterTokens(4).optLayerScale(1e-5).build();
        List<String> labels = IntStream.range(0, cfg.architecture().numClasses()).mapToObj(i -> "c" + i).toList();
        try (VitModel model = VitModel.create(cfg, labels, Device.cpu(), 0)) {
            model.save(out);
            try (InferenceForward f = InferenceForward.of(model, ForwardEngine.COMPILED, Precision.FP32)) {
                System.out.println("wrote " + out + ": " + cfg + ", registers " + cfg.architecture().registerTokens()
                        + ", LayerScale " + cfg.architecture().layerScale() + "; forward: " + f.describe());
            }
        }
    }
}
