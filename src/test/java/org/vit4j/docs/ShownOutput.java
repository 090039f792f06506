package org.vit4j.docs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether what a command printed is what a page shows for it. Lines are compared one for one, with
 * trailing spaces ignored, and these allowances, each visible in the page:
 * <ul>
 *   <li><b>elided lines</b>: a shown line that is just {@code ...}, or {@code ... (NOTE)}, stands for any
 *       number of printed lines, none included;
 *   <li><b>an elided line end</b>: a shown line that ends in {@code " ..."} matches a printed line
 *       that begins with the text before it;
 *   <li><b>timings</b>: a number followed by {@code s}, {@code ms}, {@code min} or {@code images/s} (a
 *       duration or a rate), or the value of a JSON key that ends in {@code _per_s} or {@code _seconds},
 *       matches any number there;
 *   <li><b>float rounding</b>: two numbers printed with 7 or more significant digits (a float at full
 *       precision, e.g. a JSON probability) match when they differ by at most 1e-5 of their size,
 *       as the last digits of a float32 result differ between CPUs' kernels.
 * </ul>
 * Every other number, word and space must be as shown.
 */
final class ShownOutput {

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?");
    private static final Pattern TIMING_UNIT = Pattern.compile("^ ?(?:s|ms|min|images/s)\\b");
    private static final Pattern TIMING_KEY = Pattern.compile("(?:_per_s|_seconds)\"\\s*:\\s*$");
    private static final Pattern ELISION = Pattern.compile("^\\.\\.\\.(?: \\(.*\\))?$");

    private ShownOutput() {}

    /**
     * @param shown a line as the page shows it
     * @return whether it stands for any number of printed lines
     */
    static boolean isElision(String shown) {
        return ELISION.matcher(shown.strip()).matches();
    }

    /**
     * @param shown the lines a page shows after a command
     * @param printed the lines the command printed
     * @return whether they match under the allowances of this class
     */
    static boolean matches(List<String> shown, List<String> printed) {
        return match(shown, printed, 0, 0, new HashMap<>());
    }

    private static boolean match(List<String> shown, List<String> printed, int i, int j, Map<Long, Boolean> memo) {
        long key = ((long) i << 32) | j;
        Boolean known = memo.get(key);
        if (known != null) {
            return known;
        }
        boolean r;
        if (i == shown.size()) {
            r = j == printed.size();
        } else if (isElision(shown.get(i))) {
            r = false;
            for (int k = j; k <= printed.size() && !r; k++) {
                r = match(shown, printed, i + 1, k, memo);
            }
        } else {
            r = j < printed.size() && lineMatches(shown.get(i), printed.get(j))
                    && match(shown, printed, i + 1, j + 1, memo);
        }
        memo.put(key, r);
        return r;
    }

    /**
     * @param shown a line as the page shows it
     * @param printed a line as the command printed it
     * @return whether they match under the allowances of this class
     */
    static boolean lineMatches(String shown, String printed) {
        String s = shown.stripTrailing();
        String p = printed.stripTrailing();
        if (s.endsWith(" ...") && !isElision(s)) {
            String head = s.substring(0, s.length() - 4);
            return p.length() >= head.length() && lineMatches(head, p.substring(0, head.length()));
        }
        List<String> sp = split(s);
        List<String> pp = split(p);
        if (sp.size() != pp.size()) {
            return false;
        }
        for (int k = 0; k < sp.size(); k++) {
            String a = sp.get(k);
            String b = pp.get(k);
            if (k % 2 == 0) { // text between numbers
                if (!a.equals(b)) {
                    return false;
                }
            } else if (!a.equals(b) && !(isTiming(sp, k) || closeFloats(a, b))) {
                return false;
            }
        }
        return true;
    }

    /** Text, number, text, number, ..., text. */
    private static List<String> split(String line) {
        List<String> parts = new ArrayList<>();
        Matcher m = NUMBER.matcher(line);
        int at = 0;
        while (m.find()) {
            parts.add(line.substring(at, m.start()));
            parts.add(m.group());
            at = m.end();
        }
        parts.add(line.substring(at));
        return parts;
    }

    private static boolean isTiming(List<String> parts, int number) {
        return TIMING_UNIT.matcher(parts.get(number + 1)).find() || TIMING_KEY.matcher(parts.get(number - 1)).find();
    }

    private static boolean closeFloats(String a, String b) {
        if (significantDigits(a) < 7 || significantDigits(b) < 7) {
            return false;
        }
        double x = Double.parseDouble(a);
        double y = Double.parseDouble(b);
        return Math.abs(x - y) <= 1e-5 * Math.max(Math.abs(x), Math.abs(y));
    }

    private static int significantDigits(String number) {
        String mantissa = number.replaceFirst("[eE].*$", "").replace("-", "").replace(".", "");
        return mantissa.replaceFirst("^0+", "").length();
    }
}
