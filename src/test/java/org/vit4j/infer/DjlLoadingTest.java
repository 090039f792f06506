package org.vit4j.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.DeferredTranslatorFactory;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.compiled.CompiledBlock;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.VisionTransformer;
import org.vit4j.model.ViTConfig;

/**
 * A directory written by {@code VitModel.save} loads through DJL's {@link Criteria} like any DJL
 * model, and its {@link Predictor} gives {@link VitClassifier}'s probabilities.
 */
class DjlLoadingTest {

    private static final double TOL = 1e-5;

    @TempDir
    Path tmp;

    private Path dir;
    private List<BufferedImage> pictures;
    private List<double[]> expected;

    @BeforeEach
    void saveModel() throws Exception {
        dir = Fixtures.savedModel(tmp.resolve("vit"), 21);
        pictures = Fixtures.pictures(4, 2);
        expected = new ArrayList<>();
        try (InferenceModel model = InferenceModel.load(dir, Device.cpu())) {
            VitClassifier clf = model.classifier();
            for (BufferedImage p : pictures) {
                double[] probs = new double[10];
                clf.classify(p, 10).top().forEach(pr -> probs[pr.index()] = pr.probability());
                expected.add(probs);
            }
        }
    }

    @Test
    void servingPropertiesNameVit4jsFactories() throws Exception {
        String serving = Files.readString(dir.resolve(ModelDirectory.SERVING));
        assertTrue(serving.contains("blockFactory=org.vit4j.infer.VitBlockFactory"), serving);
        assertTrue(serving.contains("translatorFactory=org.vit4j.infer.VitTranslatorFactory"), serving);
        assertTrue(serving.contains("option.hasParameter=false"), serving);

        // DJL 0.36 picks the translator factory before it reads serving.properties, so without a
        // factory in the Criteria it would use its own ImageClassificationTranslator (which wants
        // a synset.txt); DeferredTranslatorFactory is DJL's way to use serving.properties' one.
        Criteria<Image, Classifications> criteria = Criteria.builder()
                .setTypes(Image.class, Classifications.class)
                .optModelPath(dir)
                .optEngine("PyTorch")
                .optTranslatorFactory(new DeferredTranslatorFactory())
                .build();
        checkAgainstClassifier(criteria);
    }

    @Test
    void blockFactoryAndTranslatorGivenInCode() throws Exception {
        Files.delete(dir.resolve(ModelDirectory.SERVING)); // not in the checksums: optional
        ViTConfig config = ModelDirectory.readConfig(dir);
        Criteria<Image, Classifications> criteria = Criteria.builder()
                .setTypes(Image.class, Classifications.class)
                .optModelPath(dir)
                .optEngine("PyTorch")
                .optOption("hasParameter", "false") // weights come with the block, not from a DJL .params file
                .optArgument("blockFactory", new VitBlockFactory())
                .optTranslator(new VitTranslator(config,
                        ModelDirectory.readLabels(dir, config.architecture().numClasses())))
                .build();
        checkAgainstClassifier(criteria);
    }

    @Test
    void blockFactoryAndTranslatorFactoryGivenInCode() throws Exception {
        Files.delete(dir.resolve(ModelDirectory.SERVING));
        Criteria<Image, Classifications> criteria = Criteria.builder()
                .setTypes(Image.class, Classifications.class)
                .optModelPath(dir)
                .optEngine("PyTorch")
                .optOption("hasParameter", "false")
                .optArgument("blockFactory", new VitBlockFactory())
                .optTranslatorFactory(new VitTranslatorFactory())
                .build();
        checkAgainstClassifier(criteria);
    }

    @Test
    void criteriaArgumentsChooseTheForward() throws Exception {
        for (String forward : new String[] {"compiled", "eager"}) {
            Criteria<Image, Classifications> criteria = Criteria.builder()
                    .setTypes(Image.class, Classifications.class)
                    .optModelPath(dir)
                    .optEngine("PyTorch")
                    .optArgument("forward", forward)
                    .optArgument("precision", "fp32")
                    .optTranslatorFactory(new DeferredTranslatorFactory())
                    .build();
            try (ZooModel<Image, Classifications> model = criteria.loadModel()) {
                assertEquals(forward.equals("compiled") ? CompiledBlock.class : VisionTransformer.class,
                        model.getBlock().getClass(), forward);
            }
            checkAgainstClassifier(criteria);
        }
    }

    @Test
    void bf16OnTheEagerForwardIsRefused() {
        Criteria<Image, Classifications> criteria = Criteria.builder()
                .setTypes(Image.class, Classifications.class)
                .optModelPath(dir)
                .optEngine("PyTorch")
                .optArgument("forward", "eager")
                .optArgument("precision", "bf16")
                .optTranslatorFactory(new DeferredTranslatorFactory())
                .build();
        Throwable e = assertThrows(Exception.class, criteria::loadModel);
        while (e.getCause() != null && !(e instanceof IllegalArgumentException)) {
            e = e.getCause();
        }
        assertEquals("precision bf16 needs the compiled forward, but the eager blocks run (eager requested)",
                e.getMessage());
    }

    private void checkAgainstClassifier(Criteria<Image, Classifications> criteria) throws Exception {
        try (ZooModel<Image, Classifications> model = criteria.loadModel();
                Predictor<Image, Classifications> predictor = model.newPredictor()) {
            List<Image> images = new ArrayList<>();
            for (BufferedImage p : pictures) {
                images.add(ImageFactory.getInstance().fromImage(p));
            }
            for (int i = 0; i < images.size(); i++) {
                check(expected.get(i), predictor.predict(images.get(i)), "picture " + i);
            }
            List<Classifications> batch = predictor.batchPredict(images);
            for (int i = 0; i < images.size(); i++) {
                check(expected.get(i), batch.get(i), "batch item " + i);
            }
        }
    }

    private static void check(double[] want, Classifications got, String where) {
        assertEquals(want.length, got.getClassNames().size(), where);
        for (int k = 0; k < want.length; k++) {
            assertEquals("c" + k, got.getClassNames().get(k), where);
            assertEquals(want[k], got.getProbabilities().get(k), TOL, where + " class " + k);
        }
    }
}
