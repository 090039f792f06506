package org.vit4j.bench.peers;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs {@code src/bench/preprocess_peer.py} (Pillow + torchvision) as a subprocess on the same files
 * and reads its images/s. Interpreter: {@code vit4j.bench.python} (default {@code /usr/bin/python3},
 * Debian's, which has python3-torch and python3-torchvision); script: {@code vit4j.bench.script}
 * (default {@code src/bench/preprocess_peer.py}, relative to the working directory).
 */
final class PythonPeer {

    private PythonPeer() {}

    /**
     * Measures the peer on each set.
     *
     * @param sets set name to files
     * @param seconds seconds per round
     * @param rounds rounds (the median is reported)
     * @param processes parallel single-threaded processes (1 = the one-thread figure)
     * @return set name to the peer's JSON result
     * @throws IOException if the script fails, with its stderr
     */
    static Map<String, JsonObject> measure(Map<String, List<Path>> sets, double seconds, int rounds, int processes)
            throws IOException {
        List<String> cmd = base();
        cmd.addAll(List.of("--seconds", Double.toString(seconds), "--rounds", Integer.toString(rounds),
                "--processes", Integer.toString(processes)));
        for (Map.Entry<String, List<Path>> e : sets.entrySet()) {
            cmd.add(e.getKey() + "=" + e.getValue().stream().map(Path::toString).collect(Collectors.joining(",")));
        }
        Map<String, JsonObject> out = new LinkedHashMap<>();
        for (String line : run(cmd)) {
            if (line.startsWith("{")) {
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                out.put(o.get("set").getAsString(), o);
            }
        }
        for (String set : sets.keySet()) {
            if (!out.containsKey(set)) {
                throw new IOException("preprocess_peer.py printed no result for set " + set);
            }
        }
        return out;
    }

    /**
     * The peer's tokens for one file (for the sanity check against vit4j's).
     *
     * @param file a JPEG
     * @param npy where the script writes {@code (1, 196, 768)}
     * @throws IOException if the script fails
     */
    static void dumpTokens(Path file, Path npy) throws IOException {
        List<String> cmd = base();
        cmd.addAll(List.of("--dump", file.toString(), npy.toString()));
        run(cmd);
    }

    private static List<String> base() {
        Path script = Path.of(System.getProperty("vit4j.bench.script", "src/bench/preprocess_peer.py"));
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException(script.toAbsolutePath()
                    + " not found: run from the repository root or set -Dvit4j.bench.script");
        }
        return new ArrayList<>(List.of(System.getProperty("vit4j.bench.python", "/usr/bin/python3"), script.toString()));
    }

    private static List<String> run(List<String> cmd) throws IOException {
        Path err = Files.createTempFile("preprocess_peer", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            if (code != 0) {
                throw new IOException(String.join(" ", cmd.subList(0, 2)) + " exited with " + code + ": "
                        + Files.readString(err, StandardCharsets.UTF_8).strip());
            }
            return stdout.lines().toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for preprocess_peer.py", e);
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
