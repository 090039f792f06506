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

    /**
     * An empty list of libtorch's packed int8 weights is pickled as torch pickles a generic list
     * ({@code restore_type_tag(list, "List[...]")}, the bytes of torch's {@code Pickler}), and
     * libtorch loads it: the program appends packed weights to it and counts them.
     */
    @Test
    void anEmptyTypedListLoadsWithItsElementType() throws IOException {
        String source = "class Q(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n"
                + "  packed : List[" + VitProgram.PACKED_INT8 + "]\n"
                + "  def add(self: __torch__.Q,\n    w: Tensor) -> int:\n"
                + "    self.packed.append(ops.quantized.linear_prepack(torch.quantize_per_tensor(w, 0.1, 0, 12), None))\n"
                + "    return len(self.packed)\n";
        TorchScriptArchive a = TorchScriptArchive.builder().setClassName("Q").setSource(source)
                .addAttribute("training", false)
                .addAttribute("packed", TorchScriptArchive.emptyList(VitProgram.PACKED_INT8)).build();
        assertEquals("List[" + VitProgram.PACKED_INT8 + "] []", a.attributes().get("packed").toString());
        // torch's Pickler::pushGenericList between startTypeTag and endTypeTag: GLOBAL restore_type_tag,
        // BINPUT 3, EMPTY_LIST MARK APPENDS, BINUNICODE type, BINPUT 4, TUPLE2 REDUCE (libtorch also
        // loads a list without the tag, as a list of Any: the bytes are what keep the element type)
        String type = "List[" + VitProgram.PACKED_INT8 + "]";
        java.io.ByteArrayOutputStream want = new java.io.ByteArrayOutputStream();
        want.writeBytes("ctorch.jit._pickle\nrestore_type_tag\nq\u0003](eX".getBytes(StandardCharsets.ISO_8859_1));
        want.writeBytes(new byte[] {(byte) type.length(), 0, 0, 0});
        want.writeBytes(type.getBytes(StandardCharsets.ISO_8859_1));
        want.writeBytes(new byte[] {'q', 4, (byte) 0x86, 'R', 'u', 'b', 'q', 5, '.'});
        byte[] pickle = a.dataPickle();
        byte[] tail = java.util.Arrays.copyOfRange(pickle, pickle.length - want.size(), pickle.length);
        assertArrayEquals(want.toByteArray(), tail);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            PtSymbolBlock module = a.load((PtNDManager) m);
            PtNDArray w = (PtNDArray) m.ones(new ai.djl.ndarray.types.Shape(4, 3));
            for (long n = 1; n <= 2; n++) {
                try (IValue arg = IValue.from(w); IValue out = IValueUtils.runMethod(module, "add", arg)) {
                    assertEquals(n, out.toLong());
                }
            }
            module.close();
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchScriptArchive.emptyList("List[int]"));
        assertEquals("element type must be a dotted TorchScript type name, got List[int]", e.getMessage());
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
