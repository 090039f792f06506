package org.vit4j.spark;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.LongConsumer;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.infer.Classification;
import org.vit4j.infer.Embedding;
import org.vit4j.infer.InferenceModel;
import org.vit4j.infer.Outcome;
import org.vit4j.infer.Prediction;
import org.vit4j.infer.TokenKind;
import org.vit4j.infer.VitEncoder;

/**
 * The work of one partition: rows in, the same rows with the output columns appended out, in
 * order. Rows are read {@code batchSize} at a time, decoded one by one ({@link ImageInputs}), and
 * handed to the model's views, which run one forward pass {@code (B, C, H, W)} per image size; an
 * input that cannot be decoded gets its error column set and nulls elsewhere. The executor's model
 * comes from {@link ExecutorModels}; nothing but this function's parameters is shipped with the task.
 */
final class PartitionFunction implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final ModelSource model;
    private final int inputIndex;
    private final int nameIndex;
    private final int batchSize;
    private final int topK;
    private final boolean includePrefix;
    private final OutputColumns out;

    /**
     * Creates the function.
     *
     * @param model the model
     * @param inputIndex index of the input column (binary content or path)
     * @param nameIndex index of the column naming the input in messages, or -1 to use the input
     *     itself (a path) or {@code "row"}
     * @param batchSize images per forward pass
     * @param topK classes in the top-k column, or 0 to compute embeddings only
     * @param includePrefix whether token columns start with the class and register tokens
     * @param out the columns to append
     */
    PartitionFunction(ModelSource model, int inputIndex, int nameIndex, int batchSize, int topK,
            boolean includePrefix, OutputColumns out) {
        this.model = model;
        this.inputIndex = inputIndex;
        this.nameIndex = nameIndex;
        this.batchSize = batchSize;
        this.topK = topK;
        this.includePrefix = includePrefix;
        this.out = out;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        InferenceModel m = ExecutorModels.get(model);
        LongConsumer hook = TestHooks.afterRow;
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();
            private long emitted;

            @Override
            public boolean hasNext() {
                if (ready.isEmpty() && rows.hasNext()) {
                    List<Row> batch = new ArrayList<>(batchSize);
                    while (batch.size() < batchSize && rows.hasNext()) {
                        batch.add(rows.next());
                    }
                    ready.addAll(process(m, batch));
                }
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Row r = ready.poll();
                emitted++;
                if (hook != null) {
                    hook.accept(emitted);
                }
                return r;
            }
        };
    }

    private List<Row> process(InferenceModel m, List<Row> batch) {
        List<Outcome<PreprocessedImage>> decoded = new ArrayList<>(batch.size());
        for (Row r : batch) {
            Object value = r.isNullAt(inputIndex) ? null : r.get(inputIndex);
            decoded.add(ImageInputs.decode(m, value, name(r, value)));
        }
        List<Outcome<Object[]>> results = Outcome.mapAll(decoded, images -> compute(m, images));
        List<Row> rows = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Row r = batch.get(i);
            Object[] appended = results.get(i).ok() ? results.get(i).value() : error(results.get(i).error());
            Object[] v = new Object[r.length() + appended.length];
            for (int c = 0; c < r.length(); c++) {
                v[c] = r.get(c);
            }
            System.arraycopy(appended, 0, v, r.length(), appended.length);
            rows.add(RowFactory.create(v));
        }
        return rows;
    }

    private String name(Row r, Object value) {
        if (nameIndex >= 0 && !r.isNullAt(nameIndex)) {
            return r.get(nameIndex).toString();
        }
        return value instanceof String s ? s : "row";
    }

    /** The output values of images of any sizes, in {@link OutputColumns#fields()} order. */
    private List<Object[]> compute(InferenceModel m, List<PreprocessedImage> images) {
        int n = images.size();
        // topK 0: an embedder, the head is not run
        List<Classification> cls = topK > 0 ? m.classifier().classify(images, topK) : null;
        VitEncoder encoder = m.encoder(includePrefix);
        List<Embedding> pooled = out.pooled() != null && cls == null ? encoder.embed(images, TokenKind.POOLED) : null;
        List<Embedding> encoded = out.encoded() != null ? encoder.embed(images, TokenKind.ENCODED) : null;
        List<Embedding> patches = out.embedded() != null
                ? encoder.embed(images, TokenKind.EMBEDDED) : null;
        List<Object[]> values = new ArrayList<>(n);
        for (int b = 0; b < n; b++) {
            List<Object> v = new ArrayList<>();
            if (cls != null) {
                Prediction best = cls.get(b).best();
                addIf(v, out.label(), best.label());
                addIf(v, out.index(), best.index());
                addIf(v, out.probability(), best.probability());
                if (out.topK() != null) {
                    Row[] top = new Row[cls.get(b).top().size()];
                    for (int k = 0; k < top.length; k++) {
                        Prediction p = cls.get(b).top().get(k);
                        top[k] = RowFactory.create(p.label(), p.index(), p.probability());
                    }
                    v.add(top);
                }
            } else {
                addIf(v, out.label(), null);
                addIf(v, out.index(), null);
                addIf(v, out.probability(), null);
                addIf(v, out.topK(), null);
            }
            if (out.pooled() != null) {
                v.add(boxed(cls != null ? cls.get(b).pooled() : pooled.get(b).values()));
            }
            if (encoded != null) {
                v.add(boxed(encoded.get(b).rows()));
            }
            if (patches != null) {
                v.add(boxed(patches.get(b).rows()));
            }
            v.add(null); // error
            values.add(v.toArray());
        }
        return values;
    }

    private Object[] error(String reason) {
        Object[] v = new Object[out.fields().size()];
        v[v.length - 1] = reason;
        return v;
    }

    private static void addIf(List<Object> v, String column, Object value) {
        if (column != null) {
            v.add(value);
        }
    }

    private static Float[] boxed(float[] x) {
        Float[] b = new Float[x.length];
        for (int i = 0; i < x.length; i++) {
            b[i] = x[i];
        }
        return b;
    }

    private static Float[][] boxed(float[][] x) {
        Float[][] b = new Float[x.length][];
        for (int i = 0; i < x.length; i++) {
            b[i] = boxed(x[i]);
        }
        return b;
    }

    @Override
    public String toString() {
        return "PartitionFunction{" + model + ", batch " + batchSize + ", top-k " + topK + ", " + Arrays.toString(
                out.fields().stream().map(f -> f.name()).toArray()) + "}";
    }
}
