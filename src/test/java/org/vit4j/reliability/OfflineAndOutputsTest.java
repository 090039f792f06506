package org.vit4j.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.util.Ec2Utils;
import ai.djl.util.Utils;
import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.Offline;
import org.vit4j.cli.ExitCodes;
import org.vit4j.infer.InferenceModel;
import org.vit4j.model.TestModels;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;
import org.vit4j.cli.CliRun;

/**
 * No network, and no files other than those the user named.
 *
 * <p>Java 17 has no hook that sees every socket, so the network test checks what keeps DJL off
 * the network (offline mode, tracking opt-out) and records every URL or socket address that
 * {@link java.net.HttpURLConnection}, {@code URL.openStream} and plain {@link java.net.Socket}s
 * would connect to (they all ask the default {@link ProxySelector} first) while a model is saved,
 * loaded and used.
 */
class OfflineAndOutputsTest {

    @TempDir Path tmp;

    /** Records every address a connection was about to be opened to. */
    static final class RecordingSelector extends ProxySelector {
        final List<URI> seen = Collections.synchronizedList(new ArrayList<>());

        @Override
        public List<Proxy> select(URI uri) {
            seen.add(uri);
            return List.of(Proxy.NO_PROXY);
        }

        @Override
        public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            // nothing: the attempt is already recorded
        }
    }

    @Test
    void offlineModeAndTrackingOptOutAreInEffect() {
        String offline = System.getProperty("ai.djl.offline");
        String tracking = System.getProperty("OPT_OUT_TRACKING");
        try {
            // whatever the build set, Offline.ensure() alone must switch both on
            System.clearProperty("ai.djl.offline");
            System.clearProperty("OPT_OUT_TRACKING");
            Offline.ensure();
            assertEquals("true", System.getProperty("ai.djl.offline"));
            assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
            assertTrue(Utils.isOfflineMode());
            assertTrue(Boolean.parseBoolean(Utils.getEnvOrSystemProperty("OPT_OUT_TRACKING")));
            // an explicit choice of the user is kept
            System.setProperty("OPT_OUT_TRACKING", "false");
            Offline.ensure();
            assertEquals("false", System.getProperty("OPT_OUT_TRACKING"));
        } finally {
            restore("ai.djl.offline", offline);
            restore("OPT_OUT_TRACKING", tracking);
            Offline.ensure();
        }
    }

    @Test
    void telemetryReturnsWithoutConnecting() {
        Offline.ensure();
        RecordingSelector rec = new RecordingSelector();
        ProxySelector old = ProxySelector.getDefault();
        ProxySelector.setDefault(rec);
        try {
            // without the opt-out this asks the EC2 metadata address 169.254.169.254 for an instance id
            Ec2Utils.callHome("PyTorch");
        } finally {
            ProxySelector.setDefault(old);
        }
        assertEquals(List.of(), rec.seen);
    }

    @Test
    void savingLoadingAndPredictingOpenNoConnection() throws Exception {
        RecordingSelector rec = new RecordingSelector();
        ProxySelector old = ProxySelector.getDefault();
        ProxySelector.setDefault(rec);
        try {
            Path model = tmp.resolve("model");
            try (VitModel m = TestModels.create(Variant.MICRO.toBuilder().build(), 4)) {
                m.save(model);
            }
            Path img = tmp.resolve("x.png");
            ImageIO.write(HostileFiles.noise(30, 20, 1), "png", img.toFile());
            try (InferenceModel loaded = InferenceModel.load(model, Device.cpu())) {
                loaded.classifier().classify(img, 2);
            }
            CliRun r = CliRun.run("predict", "--model", model.toString(), "--format", "json", img.toString());
            assertEquals(ExitCodes.OK, r.code(), r.err());
        } finally {
            ProxySelector.setDefault(old);
        }
        assertEquals(List.of(), rec.seen);
        assertTrue(Utils.isOfflineMode());
    }

    @Test
    void patchesAndPosembWriteOnlyTheNamedFiles() throws Exception {
        Path in = tmp.resolve("in");
        Path out = tmp.resolve("out");
        Files.createDirectories(in);
        Files.createDirectories(out);
        Path img = in.resolve("picture.png");
        ImageIO.write(HostileFiles.noise(50, 40, 2), "png", img.toFile());
        Files.writeString(in.resolve("text.png"), "not a picture");
        List<String> inBefore = list(in);

        CliRun p = CliRun.run("patches", "--patch", "16", "--image-size", "64", "--scramble",
                img.toString(), "--out", out.resolve("grid.png").toString());
        assertEquals(ExitCodes.OK, p.code(), p.err());
        assertEquals(List.of("grid.png"), list(out));

        CliRun t = CliRun.run("posemb", "--kind", "sincos2d-mae", "--grid", "4x4", "--dim", "32",
                "--format", "npy", "--out", out.resolve("table.npy").toString(),
                "--plot", out.resolve("maps.png").toString());
        assertEquals(ExitCodes.OK, t.code(), t.err());
        assertEquals(List.of("grid.png", "maps.png", "table.npy"), list(out));

        CliRun csv = CliRun.run("posemb", "--kind", "sincos1d", "--grid", "2x3", "--dim", "8",
                "--out", out.resolve("table.csv").toString());
        assertEquals(ExitCodes.OK, csv.code(), csv.err());
        assertEquals(List.of("grid.png", "maps.png", "table.csv", "table.npy"), list(out));

        // a failing run leaves neither the named file nor a temporary one
        CliRun bad = CliRun.run("patches", "--patch", "16", "--image-size", "64",
                in.resolve("text.png").toString(), "--out", out.resolve("never.png").toString());
        assertEquals(ExitCodes.SOME_FAILED, bad.code(), bad.err());
        HostileInputsTest.assertNoStackTrace(bad);
        assertTrue(bad.errorLine().contains(in.resolve("text.png") + ": not a recognised image"), bad.err());
        assertEquals(List.of("grid.png", "maps.png", "table.csv", "table.npy"), list(out));

        // the inputs are untouched and nothing appeared beside them or in the temp dir's top level
        assertEquals(inBefore, list(in));
        assertEquals(List.of("in", "out"), list(tmp));
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
