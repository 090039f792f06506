package org.vit4j.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.GlobPattern;
import org.junit.jupiter.api.Test;
import org.vit4j.image.ImageLoader;

/** The job's directory filter picks the files {@code vit4j predict} picks in a directory. */
class PredictJobTest {

    @Test
    void imageGlobAgreesWithTheLoaderOnEveryExtensionAndCase() {
        GlobPattern glob = new GlobPattern(PredictJob.imageGlob()); // Hadoop's, as pathGlobFilter uses it
        List<String> names = new ArrayList<>(List.of("a.txt", "a.png.bak", "png", "a.jpg2", "a.pn", ".png", "a b.PnG"));
        for (String ext : PredictJob.EXTENSIONS) {
            names.add("a." + ext);
            names.add("a." + ext.toUpperCase());
            names.add("a." + Character.toUpperCase(ext.charAt(0)) + ext.substring(1));
        }
        int images = 0;
        for (String n : names) {
            boolean loader = ImageLoader.isImageFile(Path.of(n));
            assertEquals(loader, glob.matches(n), n);
            images += loader ? 1 : 0;
        }
        assertEquals(3 * PredictJob.EXTENSIONS.size() + 2, images); // ".png" and "a b.PnG" are image names too
    }
}
