package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code vit4j serve}'s usage errors (exit 2, {@code OPTION VALUE: REASON}) and a port in use (exit 1). */
class ServeCommandTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--port|70000|--port 70000: must be from 0 to 65535",
        "--port|http|--port http: not a port number (0 to 65535)",
        "--max-batch|0|--max-batch 0: must be at least 1",
        "--max-delay-ms|-1|--max-delay-ms -1: must be from 0 to 60000",
        "--max-delay-ms|61000|--max-delay-ms 61000: must be from 0 to 60000",
        "--queue|0|--queue 0: must be at least 1",
        "--max-body-mb|0|--max-body-mb 0: must be at least 1",
    })
    void refusesABadValueBeforeLoadingAnything(String option, String value, String message) {
        CliRun run = CliRun.run("serve", option, value);
        assertEquals(ExitCodes.USAGE, run.code(), run.err());
        assertEquals("vit4j serve: " + message, run.errorLine());
    }

    @Test
    void aHostThatDoesNotResolveIsAUsageError() {
        CliRun run = CliRun.run("serve", "--host", "no such host");
        assertEquals(ExitCodes.USAGE, run.code(), run.err());
        assertEquals("vit4j serve: --host no such host: not a known host name or address", run.errorLine());
    }

    @Test
    void aPortInUseIsNamedAndExitsOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            CliRun run = CliRun.run("serve", "-q", "--port", Integer.toString(port));
            assertEquals(ExitCodes.SOME_FAILED, run.code(), run.err());
            assertEquals("vit4j serve: cannot listen on 127.0.0.1:" + port + ": Address already in use", run.errorLine());
            assertEquals("", run.out());
        }
    }
}
