package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Display widths: a CJK character takes two terminal cells, a combining accent none. */
class TextTest {

    @Test
    void widthsAreTerminalCells() {
        assertEquals(5, Text.width("a.png"));
        assertEquals(2 * 4 + 4, Text.width("写真画像.png"));
        assertEquals(4, Text.width("cafe\u0301")); // e + combining acute
        assertEquals(2 + 2, Text.width("한국"));
        assertEquals("写真  |", Text.padRight("写真", 6) + "|");
        assertEquals("  ab", Text.padLeft("ab", 4));
        assertEquals("toolong", Text.padRight("toolong", 3));
        assertEquals(8, Text.widest(List.of("a", "写真画像"), 3));
    }
}
