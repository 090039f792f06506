package org.vit4j.infer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What became of one input of a run: its value (a decoded image, a classification, an embedding),
 * or the reason it has none, worded as {@code vit4j predict} prints it. Failures travel beside the
 * values, so a run over many inputs goes on past a bad one and its results stay in input order.
 *
 * @param name the input's name in messages (its path, {@code FILE.npy[b]}, a Spark row's path)
 * @param value the value, or {@code null} if the input failed
 * @param error why the input failed, or {@code null}
 * @param <T> the value's type
 */
public record Outcome<T>(String name, T value, String error) {

    /**
     * Checks that exactly one of value and error is given.
     *
     * @param name the input's name
     * @param value the value
     * @param error the reason
     * @throws IllegalArgumentException if both or neither are given
     */
    public Outcome {
        Objects.requireNonNull(name, "name");
        if ((value == null) == (error == null)) {
            throw new IllegalArgumentException("an outcome has a value or an error, not both or neither: " + name);
        }
    }

    /**
     * A success.
     *
     * @param name the input's name
     * @param value the value
     * @param <T> the value's type
     * @return the outcome
     */
    public static <T> Outcome<T> of(String name, T value) {
        return new Outcome<>(name, value, null);
    }

    /**
     * A failure.
     *
     * @param name the input's name
     * @param error why it failed
     * @param <T> the type the value would have had
     * @return the outcome
     */
    public static <T> Outcome<T> failed(String name, String error) {
        return new Outcome<>(name, null, error);
    }

    /** @return whether the input has a value */
    public boolean ok() {
        return error == null;
    }

    /**
     * Transforms the value of a success; a failure keeps its reason.
     *
     * @param f the transformation
     * @param <R> the new value's type
     * @return the transformed outcome
     */
    public <R> Outcome<R> map(Function<T, R> f) {
        return ok() ? of(name, f.apply(value)) : failed(name, error);
    }

    /**
     * Runs a computation over the values of the successes in one call, and gives every input its
     * result or its own failure back, in input order.
     *
     * @param inputs the inputs
     * @param run one result per value, in order (e.g. {@code imgs -> classifier.classify(imgs, 3)})
     * @param <T> the inputs' value type
     * @param <R> the result type
     * @return one outcome per input, in order
     * @throws IllegalStateException if {@code run} returns another number of results than it was given values
     */
    public static <T, R> List<Outcome<R>> mapAll(List<Outcome<T>> inputs, Function<List<T>, List<R>> run) {
        List<T> values = new ArrayList<>();
        for (Outcome<T> in : inputs) {
            if (in.ok()) {
                values.add(in.value());
            }
        }
        List<R> results = values.isEmpty() ? List.of() : run.apply(values);
        if (results.size() != values.size()) {
            throw new IllegalStateException(values.size() + " inputs gave " + results.size() + " results");
        }
        List<Outcome<R>> out = new ArrayList<>(inputs.size());
        int r = 0;
        for (Outcome<T> in : inputs) {
            out.add(in.ok() ? of(in.name(), results.get(r++)) : failed(in.name(), in.error()));
        }
        return out;
    }
}
