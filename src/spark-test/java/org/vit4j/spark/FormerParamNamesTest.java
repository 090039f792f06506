package org.vit4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** A Spark param renamed so that one idea has one word is refused by its former name, naming the new one. */
class FormerParamNamesTest {

    @Test
    void patchEmbeddingsColIsNowEmbeddedCol() {
        VitEmbedderTransformer t = new VitEmbedderTransformer();
        NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> t.getParam("patchEmbeddingsCol"));
        assertEquals("Param patchEmbeddingsCol is now called embeddedCol (the tokens the encoder reads)", e.getMessage());
        assertEquals(t.embeddedCol(), t.getParam("embeddedCol"));
    }
}
