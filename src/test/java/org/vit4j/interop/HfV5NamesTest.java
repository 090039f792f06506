package org.vit4j.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.io.Npy;
import org.vit4j.model.VitModel;
import org.vit4j.position.PosEmbedResampler;

/**
 * Hugging Face transformers 5.x tensor names ({@code vit.layers.N.attention.q_proj}, ...):
 * {@code hf5.safetensors} is {@code hf.safetensors} renamed by {@code make_hf5_fixture.py}, so it
 * must give the same logits as the 4.x names; an incomplete q/k/v triple is reported in 5.x terms.
 */
class HfV5NamesTest {

    @TempDir
    Path tmp;

    private static Path fixture(String name) {
        try {
            return Path.of(HfV5NamesTest.class.getResource("/interop/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing fixture /interop/" + name, e);
        }
    }

    private static float[] logits(VitModel model, String input) throws IOException {
        Npy.Array x = Npy.read(fixture(input));
        try (NDManager m = model.newManager()) {
            return model.forward(m.create(x.data(), new Shape(x.shape()))).get(0).toFloatArray();
        }
    }

    @Test
    void transformers5NamesImportAsThe4xOnesAndMatchTheReference() throws IOException {
        for (String[] size : new String[][] {{"24x24", null}, {"40x32", "40"}}) {
            CheckpointImporter.Builder b5 = CheckpointImporter.builder().setSource(Source.HF)
                    .setWeights(fixture("hf5.safetensors")).optHeads(4);
            CheckpointImporter.Builder b4 = CheckpointImporter.builder().setSource(Source.HF)
                    .setWeights(fixture("hf.safetensors")).optHeads(4);
            if (size[1] != null) {
                b5.optImageSize(40, 32).optPosResample(PosEmbedResampler.Mode.HF);
                b4.optImageSize(40, 32).optPosResample(PosEmbedResampler.Mode.HF);
            }
            try (VitModel v5 = b5.build().toModel(Device.cpu()); VitModel v4 = b4.build().toModel(Device.cpu())) {
                assertEquals(v4.getConfig(), v5.getConfig());
                float[] got = logits(v5, "input_" + size[0] + ".npy");
                assertArrayEquals(logits(v4, "input_" + size[0] + ".npy"), got);
                Npy.Array want = Npy.read(fixture("hf_logits_" + size[0] + ".npy"));
                double worst = 0;
                for (int i = 0; i < got.length; i++) {
                    worst = Math.max(worst, Math.abs(got[i] - want.data()[i]));
                }
                assertTrue(worst < 1e-4, size[0] + ": max diff " + worst);
            }
        }
    }

    @Test
    void anIncompleteQkvIsReportedInTransformers5Names() throws IOException {
        Path edited = tmp.resolve("hf5-no-k.safetensors");
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDList list = NDList.decode(m, Files.readAllBytes(fixture("hf5.safetensors")));
            list.removeIf(a -> a.getName().equals("vit.layers.1.attention.k_proj.bias"));
            try (OutputStream os = Files.newOutputStream(edited)) {
                list.encode(os, NDList.Encoding.SAFETENSORS);
            }
        }
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointImporter.builder()
                .setSource(Source.HF).setWeights(edited).optHeads(4).build().toModel(Device.cpu()).close());
        assertTrue(e.getMessage().contains("missing vit.layers.1.attention.k_proj.bias"), e.getMessage());
    }
}
