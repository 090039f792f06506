package org.vit4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vit4j.compiled.CpuFeatures;

/** {@code train.json}'s one form: written and read by {@link RunRecord}, older files still read. */
class RunRecordTest {

    private static final TrainOptions OPTIONS = TrainOptions.builder().optEpochs(3).optSeed(5).build();

    @Test
    void everyPartSurvivesARoundTripUnderItsFileNames() {
        RunRecord r = new RunRecord(OPTIONS, new RunRecord.InitialWeights("models/a", "ab12"),
                new RunRecord.Data("fashion-mnist", "/data/fm", "train split", 100, "cd34", "val split", 10, "ef56"),
                new Provenance("0.1.0", "0.36.0", "2.7.1", "cpu()", 2, 1, 2, "Debian 17", "Linux amd64",
                        "AMD EPYC (AuthenticAMD family 25 model 17; avx2)", "2026-12-02T11:00:00Z"),
                null).extend(2, 5);
        String json = r.toJson();
        assertEquals(r, RunRecord.fromJson(json));
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        assertEquals(5, o.get("epochs").getAsInt(), "the options say the raised number of epochs");
        assertEquals("{\"dir\":\"models/a\",\"weights_sha256\":\"ab12\"}", o.get("init").toString());
        assertEquals("{\"source\":\"fashion-mnist\",\"data_dir\":\"/data/fm\",\"train\":\"train split\","
                + "\"train_images\":100,\"train_sha256\":\"cd34\",\"val\":\"val split\",\"val_images\":10,"
                + "\"val_sha256\":\"ef56\"}", o.get("data").toString());
        assertEquals("{\"vit4j\":\"0.1.0\",\"djl\":\"0.36.0\",\"libtorch\":\"2.7.1\",\"device\":\"cpu()\","
                + "\"threads\":2,\"interop_threads\":1,\"batch_shards\":2,\"java\":\"Debian 17\",\"os\":\"Linux amd64\","
                + "\"cpu\":\"AMD EPYC (AuthenticAMD family 25 model 17; avx2)\",\"started\":\"2026-12-02T11:00:00Z\"}",
                o.get("provenance").toString());
        assertEquals("[{\"after_epoch\":2,\"epochs_before\":3,\"epochs\":5}]", o.get("extended").toString());
        assertEquals(List.of("init", "data", "provenance", "extended"),
                o.keySet().stream().filter(k -> o.get(k).isJsonObject() || o.get(k).isJsonArray()).toList());
        assertEquals(OPTIONS, TrainOptions.fromJson(json.replace("\"epochs\": 5", "\"epochs\": 3")),
                "the file still reads as the options");
    }

    @Test
    void theCpuIsRecordedByModelFamilyAndMatrixFlags() {
        CpuFeatures zen4 = CpuFeatures.parse("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n"
                + "model\t\t: 17\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx2 fma avx512f avx512bw avx512_bf16 sse\n"
                + "processor\t: 1\nmodel name\t: other\n");
        assertEquals("AMD EPYC (AuthenticAMD family 25 model 17; avx2 fma avx512f avx512bw avx512_bf16 "
                + "(no avx512_vnni, amx_tile, amx_bf16))", zen4.describe());
        assertEquals(CpuFeatures.current().describe(), Provenance.current(Device.cpu(), 1).cpu(),
                "a run records the CPU it runs on");
    }

    @Test
    void aRecordWithOnlyTheOptionsReadsWithTheRestAbsent() {
        RunRecord r = RunRecord.fromJson(OPTIONS.toJson());
        assertEquals(OPTIONS, r.options());
        assertNull(r.init());
        assertNull(r.data());
        assertNull(r.provenance());
        assertEquals(List.of(), r.extended());
        assertThrows(IllegalArgumentException.class, () -> RunRecord.fromJson("[1]"));
    }

    static Stream<Path> committedRunRecords() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("src/main/resources/org/vit4j/bundled/fashion-vit"))) {
            List<Path> files = s.filter(p -> p.getFileName().toString().endsWith("train.json")).sorted().toList();
            assertTrue(files.size() >= 4, files.toString());
            return files.stream();
        }
    }

    /** Every committed {@code train.json} reads, and is written back with each of its fields unchanged. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("committedRunRecords")
    void committedRunRecordsRead(Path file) throws IOException {
        JsonObject committed = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        RunRecord r = RunRecord.fromJson(committed.toString());
        JsonObject written = JsonParser.parseString(r.toJson()).getAsJsonObject();
        for (String k : committed.keySet()) {
            assertEquals(committed.get(k), written.get(k), file + ": " + k);
        }
        assertEquals(r, RunRecord.fromJson(r.toJson()));
    }
}
