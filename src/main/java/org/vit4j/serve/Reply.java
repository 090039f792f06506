package org.vit4j.serve;

import com.google.gson.JsonObject;
import java.util.Map;
import org.vit4j.infer.ResultJson;

/**
 * What the server answers to one request: a status code, a JSON object and any headers beyond
 * {@code Content-Type}.
 *
 * @param status the HTTP status code
 * @param json the body
 * @param headers extra headers ({@code Retry-After} with 503, {@code Allow} with 405)
 */
record Reply(int status, JsonObject json, Map<String, String> headers) {

    /**
     * A success.
     *
     * @param json the result
     * @return status 200
     */
    static Reply ok(JsonObject json) {
        return new Reply(200, json, Map.of());
    }

    /**
     * A failure, {@code {"error": message}}; a 503 says to retry after a second.
     *
     * @param status 400, 404, 413, 500 or 503
     * @param message why, worded as the command line words it
     * @return the reply
     */
    static Reply error(int status, String message) {
        return new Reply(status, ResultJson.error(null, message), status == 503 ? Map.of("Retry-After", "1") : Map.of());
    }

    /**
     * A method the path does not take (405).
     *
     * @param method the request's method
     * @param path the path
     * @param allowed the method it takes
     * @return the reply, with {@code Allow}
     */
    static Reply notAllowed(String method, String path, String allowed) {
        return new Reply(405, ResultJson.error(null, "method " + method + " is not allowed on " + path + ": use " + allowed),
                Map.of("Allow", allowed));
    }
}
