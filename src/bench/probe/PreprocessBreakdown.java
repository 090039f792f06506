import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.vit4j.image.ImageLoader;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.image.Interpolation;
import org.vit4j.image.Normalization;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.image.SizingPolicy;

/**
 * vit4j's preprocessing of JPEG files split in two stages, one thread: decode ({@link ImageLoader},
 * to 8-bit RGB) and the rest ({@link ImagePreprocessor}: resize 256, crop 224, normalize). Prints
 * the median milliseconds per image of each over 5 rounds. Arguments: seconds per round, files.
 */
public class PreprocessBreakdown {
    public static void main(String[] args) throws Exception {
        ImageLoader loader = ImageLoader.builder().build();
        ImagePreprocessor pre = ImagePreprocessor.builder().setImageSize(224, 224).setPatchSize(16)
                .optPolicy(SizingPolicy.RESIZE_CROP).optCropPct(0.875).optInterpolation(Interpolation.BILINEAR)
                .optNormalization(Normalization.IMAGENET).build();
        double seconds = Double.parseDouble(args[0]);
        List<Double> decode = new ArrayList<>();
        List<Double> rest = new ArrayList<>();
        for (int round = 0; round < 6; round++) { // round 0 warms up
            long tDecode = 0;
            long tRest = 0;
            int n = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                for (int i = 1; i < args.length; i++) {
                    long t0 = System.nanoTime();
                    var img = loader.load(Path.of(args[i]));
                    long t1 = System.nanoTime();
                    PreprocessedImage p = pre.apply(img, args[i]);
                    long t2 = System.nanoTime();
                    if (p.data().length == 0) {
                        throw new IllegalStateException();
                    }
                    tDecode += t1 - t0;
                    tRest += t2 - t1;
                    n++;
                }
            }
            if (round > 0) {
                decode.add(tDecode / 1e6 / n);
                rest.add(tRest / 1e6 / n);
            }
        }
        Collections.sort(decode);
        Collections.sort(rest);
        System.out.printf("vit4j   decode %.2f ms, resize+crop+normalize %.2f ms per image%n", decode.get(2), rest.get(2));
    }
}
