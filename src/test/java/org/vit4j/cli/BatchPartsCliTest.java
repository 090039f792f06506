package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

/** {@code --batch-parts}: {@code bench} runs either layout and says which ran. */
class BatchPartsCliTest {

    private static JsonObject bench(String... more) {
        String[] args = new String[] {"bench", "--variant", "micro", "--seconds", "0.1", "--warmup-max", "0.1",
            "--format", "json"};
        String[] all = new String[args.length + more.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        CliRun r = run(all);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    @Test
    void benchSaysHowManyPartsEachPassRanIn() {
        JsonObject two = bench("--batch-size", "4", "--batch-parts", "2");
        assertEquals(2, two.get("batch_parts").getAsInt());
        // the layout's words depend on whether a fork in this JVM (a training test) started libtorch's pool first
        assertTrue(two.get("batch_parts_reason").getAsString().startsWith("2 parts (2 requested), "), two.toString());

        JsonObject one = bench("--batch-size", "4", "--batch-parts", "1");
        assertEquals(1, one.get("batch_parts").getAsInt());
        assertEquals("1 part (1 requested: the whole batch in one pass)", one.get("batch_parts_reason").getAsString());

        JsonObject single = bench("--batch-size", "1", "--batch-parts", "2");
        assertEquals(1, single.get("batch_parts").getAsInt(), "a batch of one image is never split");

        JsonObject eager = bench("--batch-size", "4", "--batch-parts", "2", "--engine", "eager");
        assertEquals(1, eager.get("batch_parts").getAsInt());
        assertEquals("1 part (eager blocks)", eager.get("batch_parts_reason").getAsString());

        CliRun text = run("bench", "--variant", "micro", "--seconds", "0.1", "--warmup-max", "0.1", "--batch-size", "3",
                "--batch-parts", "3");
        assertEquals(ExitCodes.OK, text.code(), text.err());
        assertTrue(text.out().contains("\n  batch parts: 3 per pass; 3 parts (3 requested), "), text.out());
    }
}
