package org.vit4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import org.junit.jupiter.api.Test;

/** The commands' JSON: numbers JSON has no words for are null, and a NaN that slips through is an error, not output. */
class JsonTest {

    @Test
    void nonFiniteNumbersAreNull() {
        JsonObject o = new JsonObject();
        Json.put(o, "a", 0.5);
        Json.put(o, "b", Double.NaN);
        Json.put(o, "c", Double.POSITIVE_INFINITY);
        o.add("d", Json.numbers(new float[] {1, Float.NaN, Float.NEGATIVE_INFINITY}));
        o.add("e", Json.rows(new float[][] {{Float.NaN}, {2}}));
        assertEquals("{\"a\":0.5,\"b\":null,\"c\":null,\"d\":[1.0,null,null],\"e\":[[null],[2.0]]}", Json.line(o));
    }

    @Test
    void aNaNBuiltIntoATreeIsRefusedRatherThanPrinted() {
        JsonObject o = new JsonObject();
        o.add("growth", new JsonPrimitive(Double.NaN));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Json.line(o));
        assertEquals("a JSON number is not finite: ", e.getMessage().substring(0, "a JSON number is not finite: ".length()));
    }
}
