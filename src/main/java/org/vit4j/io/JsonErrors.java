package org.vit4j.io;

/**
 * Gson's parse errors as one line for users: Gson's message names its exception class, its
 * strictness settings and a troubleshooting link; only where the syntax breaks is kept.
 */
public final class JsonErrors {

    private JsonErrors() {}

    /**
     * Describes a JSON syntax error.
     *
     * @param e what Gson threw (a {@code JsonParseException} or its cause)
     * @return e.g. {@code syntax error at line 1 column 4 path $}
     */
    public static String describe(RuntimeException e) {
        Throwable c = e.getCause() != null ? e.getCause() : e;
        String m = c.getMessage() == null ? "syntax error" : c.getMessage().lines().findFirst().orElse("");
        int at = m.indexOf(" at line ");
        if (at < 0) {
            return m.contains("Exception") || m.contains("setStrictness") ? "syntax error" : m;
        }
        String where = m.substring(at);
        int end = where.indexOf(" path ");
        return "syntax error" + (end >= 0 ? where.substring(0, end) : where);
    }
}
