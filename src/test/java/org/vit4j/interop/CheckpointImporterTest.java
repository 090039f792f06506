package org.vit4j.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.image.Interpolation;
import org.vit4j.image.Normalization;
import org.vit4j.image.SizingPolicy;
import org.vit4j.io.Npy;
import org.vit4j.model.Architecture;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.Pooling;
import org.vit4j.model.Preprocessing;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import org.vit4j.position.PosEmbedResampler;

/**
 * Imports the checkpoints made by {@code src/test/resources/interop/make_fixtures.py} and compares
 * logits with PyTorch's (max abs diff 1e-4). {@code tv_*}: torchvision's own VisionTransformer;
 * {@code timm_*}, {@code hf_*}, {@code half_*}: minimal PyTorch re-implementations of the timm and
 * Hugging Face forward passes with their parameter names (they check the mapping, not timm or
 * transformers). Then the refusals: every problem listed, nothing written.
 */
class CheckpointImporterTest {

    private static final double TOL = 1e-4;

    @TempDir
    Path tmp;

    private static Path fixture(String name) {
        try {
            return Path.of(CheckpointImporterTest.class.getResource("/interop/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing fixture /interop/" + name + "; run make_fixtures.py", e);
        }
    }

    private static CheckpointImporter.Builder importer(Source source, String file) {
        return CheckpointImporter.builder().setSource(source).setWeights(fixture(file));
    }

    /** Runs the model on an input .npy and asserts the logits match the reference .npy. */
    private static void assertLogits(VitModel model, String input, String logits) throws IOException {
        Npy.Array x = Npy.read(fixture(input));
        Npy.Array want = Npy.read(fixture(logits));
        float[] got;
        try (NDManager m = model.newManager()) {
            NDArray images = m.create(x.data(), new Shape(x.shape())); // (B, C, H, W)
            NDArray out = model.forward(images).get(0); // (B, K)
            assertArrayEquals(want.shape(), out.getShape().getShape(), logits + " shape");
            got = out.toFloatArray();
        }
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < got.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - want.data()[i]));
            scale = Math.max(scale, Math.abs(want.data()[i]));
        }
        assertTrue(scale > 0.1, logits + ": reference logits are trivial (max |logit| " + scale + ")");
        assertTrue(worst <= TOL, logits + ": max |vit4j - torch| = " + worst);
    }

    // ---------------------------------------------------------------- torchvision (the real model)

    @Test
    void torchvisionMatchesAtItsOwnSize() throws IOException {
        try (VitModel model = importer(Source.TORCHVISION, "tv.safetensors").optHeads(2).build().toModel(Device.cpu())) {
            ViTConfig c = model.getConfig();
            Architecture a = c.architecture();
            Preprocessing p = c.preprocessing();
            assertEquals(32, a.width());
            assertEquals(2, a.depth());
            assertEquals(16, a.patchSize());
            assertEquals(2.0, a.mlpRatio());
            assertEquals(5, a.numClasses());
            assertEquals(32, a.imageHeight());
            assertTrue(a.classToken());
            assertEquals(Pooling.CLS, a.pooling());
            assertEquals(1e-6, a.layerNormEps());
            assertEquals(SizingPolicy.RESIZE_CROP, p.sizing());
            assertEquals(Interpolation.BILINEAR, p.interpolation());
            assertEquals(0.875, p.cropPct());
            assertArrayEquals(Normalization.IMAGENET.mean(), p.meanArray());
            assertEquals(List.of("class_0", "class_1", "class_2", "class_3", "class_4"), model.getLabels());
            assertLogits(model, "tv_input_32x32.npy", "tv_logits_32x32.npy");
        }
    }

    @Test
    void torchvisionAtOtherSizesWithTimmResampling() throws IOException {
        for (int[] size : new int[][] {{48, 48}, {48, 32}}) {
            String tag = size[0] + "x" + size[1];
            try (VitModel model = importer(Source.TORCHVISION, "tv.safetensors").optHeads(2)
                    .optImageSize(size[0], size[1]).build().toModel(Device.cpu())) {
                assertEquals(size[0], model.getConfig().architecture().imageHeight());
                assertEquals(size[1], model.getConfig().architecture().imageWidth());
                assertLogits(model, "tv_input_" + tag + ".npy", "tv_logits_" + tag + ".npy");
            }
        }
    }

    @Test
    void importedDirectoryLoadsAndGivesTheSameLogits() throws IOException {
        Path out = tmp.resolve("tv-model");
        ImportResult r = importer(Source.TORCHVISION, "tv.safetensors").optHeads(2).build().importTo(out);
        assertEquals(32, r.sourceTensors());
        assertEquals(out, r.directory());
        assertTrue(Files.isRegularFile(out.resolve(ModelDirectory.CONFIG)));
        try (VitModel model = VitModel.load(out, Device.cpu())) {
            assertEquals(r.config(), model.getConfig());
            assertLogits(model, "tv_input_32x32.npy", "tv_logits_32x32.npy");
        }
    }

    // ---------------------------------------------------------------- timm layout

    @Test
    void timmClassToken() throws IOException {
        try (VitModel model = importer(Source.TIMM, "timm_cls.safetensors").optHeads(2).optMlpRatio(4)
                .build().toModel(Device.cpu())) {
            ViTConfig c = model.getConfig();
            assertEquals(Pooling.CLS, c.architecture().pooling());
            assertEquals(Interpolation.BICUBIC, c.preprocessing().interpolation());
            assertEquals(0.9, c.preprocessing().cropPct());
            assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, c.preprocessing().stdArray());
            assertLogits(model, "input_24x24.npy", "timm_cls_logits_24x24.npy");
        }
    }

    @Test
    void timmNonSquareSecondSize() throws IOException {
        CheckpointImporter imp = importer(Source.TIMM, "timm_cls.safetensors").optHeads(2).optImageSize(32, 40).build();
        try (VitModel model = imp.toModel(Device.cpu())) {
            assertEquals(4 * 5, model.getConfig().architecture().grid().size());
            assertLogits(model, "input_32x40.npy", "timm_cls_logits_32x40.npy");
        }
    }

    @Test
    void timmRegistersAvgPoolFcNormNoQkvBias() throws IOException {
        try (VitModel model = importer(Source.TIMM, "timm_reg_avg.safetensors").optHeads(4).build().toModel(Device.cpu())) {
            Architecture a = model.getConfig().architecture();
            assertEquals(2, a.registerTokens());
            assertTrue(a.classToken());
            assertTrue(a.fcNorm());
            assertFalse(a.qkvBias());
            assertEquals(Pooling.AVG, a.pooling());
            assertEquals(3.0, a.mlpRatio());
            assertLogits(model, "input_24x24.npy", "timm_reg_avg_logits_24x24.npy");
        }
    }

    @Test
    void halfAndBfloat16TensorsAreConverted() throws IOException {
        try (VitModel model = importer(Source.TIMM, "half.safetensors").optHeads(2).build().toModel(Device.cpu())) {
            assertFalse(model.getConfig().architecture().classToken());
            assertEquals(Pooling.AVG, model.getConfig().architecture().pooling());
            assertFalse(model.getConfig().architecture().fcNorm());
            assertLogits(model, "input_24x24.npy", "half_logits_24x24.npy");
        }
    }

    // ---------------------------------------------------------------- Hugging Face layout

    @Test
    void huggingFaceClassifier() throws IOException {
        try (VitModel model = importer(Source.HF, "hf.safetensors").optHeads(4).build().toModel(Device.cpu())) {
            ViTConfig c = model.getConfig();
            assertEquals(1e-12, c.architecture().layerNormEps());
            assertEquals(SizingPolicy.RESIZE, c.preprocessing().sizing());
            assertEquals(Interpolation.BILINEAR, c.preprocessing().interpolation());
            assertEquals(4, c.architecture().numClasses());
            assertLogits(model, "input_24x24.npy", "hf_logits_24x24.npy");
        }
    }

    @Test
    void huggingFaceSecondSizeWithHfResampling() throws IOException {
        try (VitModel model = importer(Source.HF, "hf.safetensors").optHeads(4).optImageSize(40, 32)
                .optPosResample(PosEmbedResampler.Mode.HF).build().toModel(Device.cpu())) {
            assertLogits(model, "input_40x32.npy", "hf_logits_40x32.npy");
        }
    }

    @Test
    void theResamplingModeMatters() throws IOException {
        // the check above is sensitive: timm's antialiased kernel misses HF's reference by far more than 1e-4
        try (VitModel model = importer(Source.HF, "hf.safetensors").optHeads(4).optImageSize(40, 32)
                .build().toModel(Device.cpu())) {
            AssertionError e = assertThrows(AssertionError.class,
                    () -> assertLogits(model, "input_40x32.npy", "hf_logits_40x32.npy"));
            assertTrue(e.getMessage().contains("max |vit4j - torch|"), e.getMessage());
        }
    }

    @Test
    void huggingFaceConfigJsonGivesHeadsEpsAndLabels() throws IOException {
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, "{\"model_type\": \"vit\", \"hidden_act\": \"gelu\", \"num_attention_heads\": 4,"
                + " \"layer_norm_eps\": 1e-12, \"image_size\": 24,"
                + " \"id2label\": {\"0\": \"cat\", \"1\": \"dog\", \"2\": \"fox\", \"3\": \"owl\"}}");
        try (VitModel model = importer(Source.HF, "hf.safetensors").optSourceConfig(cfg).build().toModel(Device.cpu())) {
            assertEquals(4, model.getConfig().architecture().heads());
            assertEquals(List.of("cat", "dog", "fox", "owl"), model.getLabels());
            assertLogits(model, "input_24x24.npy", "hf_logits_24x24.npy");
        }
    }

    @Test
    void huggingFaceBackboneNeedsNumClasses() throws IOException {
        Path ckpt = rewrite("hf.safetensors", list -> list.removeIf(a -> a.getName().startsWith("classifier.")));
        Path out = tmp.resolve("out");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> CheckpointImporter.builder().setSource(Source.HF).setWeights(ckpt).optHeads(4).build().importTo(out));
        assertTrue(e.getMessage().contains("missing classifier.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("headless"), e.getMessage());
        assertFalse(Files.exists(out));
        ImportResult r = CheckpointImporter.builder().setSource(Source.HF).setWeights(ckpt).optHeads(4)
                .optNumClasses(7).build().importTo(out);
        assertEquals(7, r.config().architecture().numClasses());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("freshly initialized")), r.notes().toString());
    }

    /**
     * A non-square checkpoint without a config: its grid cannot be read off {@code pos_embed}
     * (6 patch rows are 2x3 or 3x2), so it is refused; {@code optSourceImageSize} settles it.
     */
    @Test
    void nonSquareCheckpointWithoutConfigNeedsItsSourceImageSize() throws IOException {
        Path ckpt = rewrite("timm_cls.safetensors", list -> {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).getName().equals("pos_embed")) {
                    NDArray table = list.get(i).get(":, 0:7, :"); // class token + a 2x3 grid of the 3x3 table's first rows
                    table.setName("pos_embed");
                    list.set(i, table);
                }
            }
        });
        Path out = tmp.resolve("out");
        CheckpointException e = refused(Source.TIMM, ckpt, out);
        assertTrue(e.getMessage().contains("pos_embed"), e.getMessage());
        ImportResult r = CheckpointImporter.builder().setSource(Source.TIMM).setWeights(ckpt).optHeads(2)
                .optSourceImageSize(16, 24).build().importTo(out);
        assertEquals(16, r.config().architecture().imageHeight());
        assertEquals(24, r.config().architecture().imageWidth());
        assertEquals(6, r.config().architecture().grid().size());
        try (VitModel model = VitModel.load(out, Device.cpu())) {
            assertEquals(24, model.getConfig().architecture().imageWidth());
        }
    }

    // ---------------------------------------------------------------- refusals

    private Path rewrite(String fixture, Consumer<NDList> edit) throws IOException {
        Path out = tmp.resolve("edited-" + fixture);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDList list = NDList.decode(m, Files.readAllBytes(fixture(fixture)));
            edit.accept(list);
            try (OutputStream os = Files.newOutputStream(out)) {
                list.encode(os, NDList.Encoding.SAFETENSORS);
            }
        }
        return out;
    }

    private CheckpointException refused(Source source, Path ckpt, Path out) {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> CheckpointImporter.builder().setSource(source).setWeights(ckpt).optHeads(2).build().importTo(out));
        assertFalse(Files.exists(out), "nothing may be written on refusal");
        return e;
    }

    @Test
    void refusesMissingUnexpectedAndMisShapedTensorsListingAll() throws IOException {
        Path ckpt = rewrite("timm_cls.safetensors", list -> {
            list.removeIf(a -> a.getName().equals("blocks.1.mlp.fc2.bias"));
            NDArray extra = list.get(0).getManager().ones(new Shape(16));
            extra.setName("blocks.0.ls1.gamma");
            list.add(extra);
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).getName().equals("head.bias")) {
                    NDArray bad = list.get(i).getManager().zeros(new Shape(4));
                    bad.setName("head.bias");
                    list.set(i, bad);
                }
            }
        });
        CheckpointException e = refused(Source.TIMM, ckpt, tmp.resolve("out"));
        assertEquals(List.of(
                "missing blocks.1.mlp.fc2.bias (16)",
                "shape of head.bias is (4), expected (5)",
                "unexpected blocks.0.ls1.gamma (16)"), e.getProblems());
        assertTrue(e.getMessage().contains("nothing written"), e.getMessage());
    }

    @Test
    void problemsAreNamedInTheSourcesOwnTerms() throws IOException {
        Path tv = rewrite("tv.safetensors", list -> list.removeIf(a -> a.getName().equals("encoder.ln.weight")));
        assertEquals(List.of("missing encoder.ln.weight (32)"), refused(Source.TORCHVISION, tv, tmp.resolve("a")).getProblems());
        Path hf = rewrite("hf.safetensors",
                list -> list.removeIf(a -> a.getName().equals("vit.encoder.layer.1.attention.attention.key.bias")));
        assertEquals(List.of("missing vit.encoder.layer.1.attention.attention.key.bias"),
                refused(Source.HF, hf, tmp.resolve("b")).getProblems());
    }

    @Test
    void refusesAWrongLayout() {
        // a timm file read as torchvision: nothing maps, every name is listed as unexpected
        CheckpointException e = refused(Source.TORCHVISION, fixture("timm_cls.safetensors"), tmp.resolve("out"));
        assertTrue(e.getProblems().contains("unexpected cls_token (1, 1, 16)"), e.getProblems().toString());
        assertTrue(e.getMessage().contains("missing conv_proj.weight"), e.getMessage());
    }

    @Test
    void refusesUnknownHeads() {
        Path out = tmp.resolve("out");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> importer(Source.TIMM, "timm_cls.safetensors").build().importTo(out));
        assertTrue(e.getMessage().contains("cannot infer the number of attention heads: width 16 is not a standard"
                + " ViT width (192->3, 384->6, 768->12, 1024->16, 1280->16)"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void refusesWrongLabelCountAndNonSafetensors() throws IOException {
        Path out = tmp.resolve("out");
        org.vit4j.InvalidOptionException e = assertThrows(org.vit4j.InvalidOptionException.class,
                () -> importer(Source.TIMM, "timm_cls.safetensors").optHeads(2).optLabels(List.of("a", "b"))
                        .build().importTo(out));
        assertEquals("labels 2: 2 labels for a checkpoint with 5 classes", e.getMessage());
        assertEquals("labels", e.option());
        e = assertThrows(org.vit4j.InvalidOptionException.class,
                () -> importer(Source.TIMM, "timm_cls.safetensors").optHeads(3).build().importTo(out));
        assertEquals("heads 3: does not divide the checkpoint's width 16", e.getMessage());
        e = assertThrows(org.vit4j.InvalidOptionException.class,
                () -> importer(Source.TIMM, "timm_cls.safetensors").optHeads(2).optImageSize(30, 32).build().importTo(out));
        assertEquals("imageSize 30x32: not a multiple of the checkpoint's patch size 8", e.getMessage());
        assertFalse(Files.exists(out));
        IOException io = assertThrows(IOException.class,
                () -> importer(Source.TIMM, "input_24x24.npy").optHeads(2).build().importTo(out));
        assertTrue(io.getMessage().contains("not a safetensors file"), io.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void builderNamesMissingOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CheckpointImporter.builder().setWeights(Path.of("x.safetensors")).build());
        assertEquals("source must be set (timm, hf or torchvision)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CheckpointImporter.builder().setSource(Source.HF).setWeights(Path.of("x")).optHeads(0).build());
        assertEquals("heads must be positive, got 0", e.getMessage());
    }

    // ---------------------------------------------------------------- labels and heads

    @Test
    void thousandClassesGetImageNetNamesAndStandardWidthGivesHeads() throws IOException {
        // A synthetic ViT-Ti-width timm checkpoint: D=192 (-> 3 heads), 1 block, 32x32 in 16-pixel patches, 1000 classes
        Path ckpt = tmp.resolve("ti1000.safetensors");
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDList list = new NDList();
            Object[][] spec = {
                {"cls_token", new Shape(1, 1, 192)}, {"pos_embed", new Shape(1, 5, 192)},
                {"patch_embed.proj.weight", new Shape(192, 3, 16, 16)}, {"patch_embed.proj.bias", new Shape(192)},
                {"blocks.0.norm1.weight", new Shape(192)}, {"blocks.0.norm1.bias", new Shape(192)},
                {"blocks.0.attn.qkv.weight", new Shape(576, 192)}, {"blocks.0.attn.qkv.bias", new Shape(576)},
                {"blocks.0.attn.proj.weight", new Shape(192, 192)}, {"blocks.0.attn.proj.bias", new Shape(192)},
                {"blocks.0.norm2.weight", new Shape(192)}, {"blocks.0.norm2.bias", new Shape(192)},
                {"blocks.0.mlp.fc1.weight", new Shape(768, 192)}, {"blocks.0.mlp.fc1.bias", new Shape(768)},
                {"blocks.0.mlp.fc2.weight", new Shape(192, 768)}, {"blocks.0.mlp.fc2.bias", new Shape(192)},
                {"norm.weight", new Shape(192)}, {"norm.bias", new Shape(192)},
                {"head.weight", new Shape(1000, 192)}, {"head.bias", new Shape(1000)},
            };
            for (Object[] s : spec) {
                NDArray a = m.randomNormal((Shape) s[1]).mul(0.02);
                a.setName((String) s[0]);
                list.add(a);
            }
            try (OutputStream os = Files.newOutputStream(ckpt)) {
                list.encode(os, NDList.Encoding.SAFETENSORS);
            }
        }
        Path out = tmp.resolve("ti");
        ImportResult r = CheckpointImporter.builder().setSource(Source.TIMM).setWeights(ckpt).build().importTo(out);
        assertEquals(3, r.config().architecture().heads());
        assertTrue(r.notes().contains("heads = 3 (standard for width 192)"), r.notes().toString());
        assertEquals(1000, r.labels().size());
        assertEquals("tench", r.labels().get(0));
        assertEquals(Labels.imagenet1k(), ModelDirectory.readLabels(out, 1000));
    }

    @Test
    void labelDefaultsAndNames() throws IOException {
        assertEquals(List.of("class_0", "class_1"), Labels.defaults(2));
        List<String> in1k = Labels.defaults(1000);
        assertEquals("goldfish", in1k.get(1));
        assertEquals("toilet tissue", in1k.get(999));
        try (InputStream in = Labels.class.getResourceAsStream(Labels.IMAGENET1K_RESOURCE)) {
            assertEquals(1000, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip().split("\n").length);
        }
        assertEquals(Source.HF, Source.fromName("huggingface"));
        assertEquals(Source.TORCHVISION, Source.fromName("TorchVision"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Source.fromName("keras"));
        assertEquals("unknown checkpoint source 'keras'; valid: timm, hf, torchvision", e.getMessage());
        assertEquals(12, CheckpointImporter.standardHeads(768));
        assertEquals(0, CheckpointImporter.standardHeads(16));
    }
}
