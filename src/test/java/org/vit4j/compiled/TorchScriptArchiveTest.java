package org.vit4j.compiled;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * The archive writer produces torch 1.13's bytes for the same module ({@code make_fixture.py}),
 * and libtorch 2.7.1 (DJL's engine) loads and runs what it writes.
 */
class TorchScriptArchiveTest {

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = TorchScriptArchiveTest.class.getResourceAsStream("/compiled/" + name)) {
            return in.readAllBytes();
        }
    }

    /** The fixture module's attributes in its order, as {@code torch.jit.save} pickled them. */
    private static TorchScriptArchive probe() throws IOException {
        return TorchScriptArchive.builder()
                .setClassName("Probe")
                .setSource(new String(fixture("probe_code.py"), StandardCharsets.UTF_8))
                .addAttribute("training", true)
                .addAttribute("_is_full_backward_hook", null)
                .addAttribute("small", 3)
                .addAttribute("large", -70000)
                .addAttribute("eps", 1e-6)
                .addAttribute("flag", true)
                .addAttribute("weights", TorchScriptArchive.EMPTY_TENSOR_LIST)
                .build();
    }

    @Test
    void picklesAsTorch113() throws IOException {
        TorchScriptArchive a = probe();
        assertArrayEquals(fixture("probe_data.pkl"), a.dataPickle());
        assertArrayEquals(fixture("probe_constants.pkl"), TorchScriptArchive.constantsPickle());
    }

    @Test
    void zipHasTheLayoutOfTorchJitSaveAndIsReproducible() throws IOException {
        TorchScriptArchive a = probe();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(a.toBytes()))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
                entries.put(e.getName(), zip.readAllBytes());
            }
        }
        assertEquals(List.of("archive/data.pkl", "archive/code/__torch__.py", "archive/constants.pkl", "archive/version"),
                new ArrayList<>(entries.keySet()));
        assertArrayEquals(fixture("probe_version"), entries.get("archive/version"));
        assertArrayEquals(fixture("probe_code.py"), entries.get("archive/code/__torch__.py"));
        assertArrayEquals(a.toBytes(), probe().toBytes());
    }

    @Test
    void libtorchLoadsAndRunsIt() throws IOException {
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                InputStream in = new ByteArrayInputStream(probe().toBytes())) {
            PtSymbolBlock module = JniUtils.loadModule((PtNDManager) m, in, true, false);
            PtNDArray x = (PtNDArray) m.create(new float[] {1, -2, 0.5f});
            try (IValue arg = IValue.from(x); IValue out = IValueUtils.runMethod(module, "forward", arg)) {
                assertArrayEquals(new float[] {3, -6, 1.5f}, out.toTensor((PtNDManager) m).toFloatArray()); // x * small
            }
        }
    }

    @Test
    void refusesWhatItCannotWrite() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchScriptArchive.builder()
                .setClassName("M").setSource("class N(Module):\n").addAttribute("s", "text").build());
        assertEquals("source must define class M(Module):; attribute s has unpicklable value text", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TorchScriptArchive.builder().setClassName("1x").setSource("").build());
        assertTrue(e.getMessage().startsWith("class name must be a Python identifier, got 1x"), e.getMessage());
    }
}
