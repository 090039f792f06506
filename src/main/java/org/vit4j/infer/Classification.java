package org.vit4j.infer;

import java.util.List;

/**
 * What the classifier says about one image.
 *
 * @param top the top-k classes, most probable first
 * @param logits all {@code K} logits
 * @param pooled the pooled vector {@code (D)} the head reads ({@link TokenKind#POOLED})
 */
public record Classification(List<Prediction> top, float[] logits, float[] pooled) {

    /** @return the most probable class */
    public Prediction best() {
        return top.get(0);
    }
}
