package org.vit4j.infer;

/**
 * One class of a top-k list.
 *
 * @param label class name
 * @param index class index
 * @param probability softmax probability
 */
public record Prediction(String label, int index, double probability) {}
