package org.vit4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.image.ImageLoader;
import org.vit4j.infer.Classification;
import org.vit4j.infer.InferenceModel;
import org.vit4j.infer.VitClassifier;
import org.vit4j.model.TestModels;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;

/** Runs {@link ClassifyExample#main} on a small saved model and the repository's sample images. */
class ClassifyExampleTest {

    @TempDir
    Path tmp;

    @Test
    void printsOneLinePerSampleImage() throws Exception {
        Path model = tmp.resolve("model");
        try (VitModel m = TestModels.create(Variant.MICRO.toBuilder().build(), 6)) {
            m.save(model);
        }
        Path images = Path.of("sample-images");
        List<Path> files;
        try (Stream<Path> s = Files.list(images)) {
            files = s.filter(ImageLoader::isImageFile).sorted().toList();
        }
        assertTrue(files.size() >= 10, "sample images: " + files);

        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            ClassifyExample.main(new String[] {model.toString(), images.toString()});
        } finally {
            System.setOut(saved);
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(files.size(), lines.size(), String.join("\n", lines));
        try (InferenceModel loaded = InferenceModel.load(model, Device.cpu())) {
            VitClassifier clf = loaded.classifier();
            for (int i = 0; i < files.size(); i++) {
                Classification c = clf.classify(files.get(i), 1);
                int n = loaded.encoder().embedded(files.get(i)).length;
                String want = String.format("%s\t%s\t%.4f\tpooled 32\tpatch embeddings %dx32",
                        files.get(i).getFileName(), c.best().label(), c.best().probability(), n);
                assertEquals(want, lines.get(i));
            }
        }
    }
}
