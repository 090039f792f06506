package org.vit4j.cli;

import java.util.List;

/**
 * Columns for terminal tables, measured in display cells: East Asian wide and full-width
 * characters (CJK, Hangul, full-width forms, most emoji) take two cells, combining marks none, so
 * a path in Japanese lines up with one in ASCII.
 */
final class Text {

    private Text() {}

    /**
     * The number of terminal cells a string takes.
     *
     * @param s the text
     * @return its display width
     */
    static int width(String s) {
        int w = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            w += cells(cp);
        }
        return w;
    }

    /**
     * Pads on the right to {@code width} cells (longer text is left as it is).
     *
     * @param s the text
     * @param width the column width in cells
     * @return the padded text
     */
    static String padRight(String s, int width) {
        return s + " ".repeat(Math.max(0, width - width(s)));
    }

    /**
     * Pads on the left to {@code width} cells.
     *
     * @param s the text
     * @param width the column width in cells
     * @return the padded text
     */
    static String padLeft(String s, int width) {
        return " ".repeat(Math.max(0, width - width(s))) + s;
    }

    /**
     * The widest of some texts, at least {@code min}.
     *
     * @param texts the texts
     * @param min the smallest width returned (e.g. the header's)
     * @return the column width in cells
     */
    static int widest(List<String> texts, int min) {
        int w = min;
        for (String t : texts) {
            w = Math.max(w, width(t));
        }
        return w;
    }

    private static int cells(int cp) {
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT
                || cp == 0x200B) {
            return 0;
        }
        if (Character.isISOControl(cp)) {
            return 0;
        }
        boolean wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) || (cp >= 0x3041 && cp <= 0x33FF)
                || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF)
                || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F)
                || (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F)
                || (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
        return wide ? 2 : 1;
    }
}
