package org.vit4j.infer;

import java.util.List;

/**
 * What the classifier says about one image.
 *
 * @param top the top-k classes, most probable first
 * @param logits all {@code K} logits
 * @param embedding the pooled feature vector {@code (D)} the head reads
 */
public record Classification(List<Prediction> top, float[] logits, float[] embedding) {

    /** @return the most probable class */
    public Prediction best() {
        return top.get(0);
    }
}
