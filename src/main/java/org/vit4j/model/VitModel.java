package org.vit4j.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.vit4j.Offline;
import org.vit4j.io.Safetensors;

/**
 * A {@link VisionTransformer} with its config and labels, owning the native memory of its weights.
 * Close it (try-with-resources) to free that memory.
 *
 * <pre>{@code
 * try (VitModel model = VitModel.load(Path.of("models/fashion-vit"), Device.cpu());
 *      NDManager m = model.newManager()) {
 *     NDArray logits = model.forward(images).get(0); // images (B, C, H, W) -> (B, K)
 * }
 * }</pre>
 */
public final class VitModel implements AutoCloseable {

    private final Model model;
    private final VisionTransformer block;
    private final ViTConfig config;
    private final List<String> labels;

    private VitModel(Model model, VisionTransformer block, ViTConfig config, List<String> labels) {
        this.model = model;
        this.block = block;
        this.config = config;
        this.labels = List.copyOf(labels);
    }

    /**
     * A new model with freshly initialized weights.
     *
     * @param config the config
     * @param labels {@code numClasses} labels
     * @param device where the weights live
     * @param seed seed of the engine's random generator for initialization
     * @return the model
     */
    public static VitModel create(ViTConfig config, List<String> labels, Device device, long seed) {
        checkLabels(config, labels);
        Offline.ensure();
        Model model = Model.newInstance("vit4j", device, "PyTorch");
        try {
            VisionTransformer block = new VisionTransformer(config);
            model.setBlock(block);
            Engine.getEngine("PyTorch").setRandomSeed((int) seed);
            block.initialize(model.getNDManager(), DataType.FLOAT32, inputShape(config, 1));
            return new VitModel(model, block, config, labels);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Loads a model directory (see {@link ModelDirectory}), verifying checksums, names and shapes.
     *
     * @param dir the directory
     * @param device where the weights live
     * @return the model
     * @throws IOException naming the file and what is wrong
     */
    public static VitModel load(Path dir, Device device) throws IOException {
        return load(ModelFiles.of(dir), device);
    }

    /**
     * Loads a model from any {@link ModelFiles} source (a directory or the classpath).
     *
     * @param files the model files
     * @param device where the weights live
     * @return the model
     * @throws IOException naming the file and what is wrong
     */
    public static VitModel load(ModelFiles files, Device device) throws IOException {
        return load(files, device, UnaryOperator.identity());
    }

    /**
     * Loads a model with a change to its config that keeps its parameters, such as
     * {@link Architecture#positionScaling()}: how it places the patches of images of another size.
     *
     * @param files the model files
     * @param device where the weights live
     * @param adjust turns the saved config into the one to run; a change of the parameters' names or
     *     shapes fails as a mismatch with the saved weights
     * @return the model
     * @throws IOException naming the file and what is wrong
     */
    public static VitModel load(ModelFiles files, Device device, UnaryOperator<ViTConfig> adjust) throws IOException {
        ModelDirectory.Contents c = ModelDirectory.read(files);
        VitModel model = create(adjust.apply(c.config()), c.labels(), device, 0);
        try {
            model.loadWeights(c.weights(), files.describe(ModelDirectory.WEIGHTS));
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static void checkLabels(ViTConfig config, List<String> labels) {
        if (labels.size() != config.architecture().numClasses()) {
            throw new IllegalArgumentException(
                    labels.size() + " labels given for numClasses=" + config.architecture().numClasses());
        }
    }

    /**
     * The input shape {@code (B, C, H, W)} of the configured size.
     *
     * @param config config
     * @param batch B
     * @return the shape
     */
    public static Shape inputShape(ViTConfig config, long batch) {
        Architecture a = config.architecture();
        return new Shape(batch, a.channels(), a.imageHeight(), a.imageWidth());
    }

    /**
     * Replaces every weight with the tensors of a safetensors file (float16/bfloat16 converted).
     *
     * @param safetensors the file content
     * @param source name for messages
     * @throws IOException if a tensor is missing, unexpected or of the wrong shape (all listed)
     */
    public void loadWeights(byte[] safetensors, String source) throws IOException {
        try (NDManager tmp = model.getNDManager().newSubManager()) {
            setWeights(Safetensors.read(safetensors, source, tmp), source);
        }
    }

    /**
     * Replaces every weight from named arrays (any manager; converted to float32).
     *
     * @param byName parameter name to array
     * @param source name for messages
     * @throws IOException listing missing, unexpected and mis-shaped tensors
     */
    public void setWeights(Map<String, NDArray> byName, String source) throws IOException {
        setWeights(block, byName, source);
    }

    /**
     * Replaces every weight of a network from named arrays (converted to float32).
     *
     * @param block the network, initialized
     * @param byName parameter name to array
     * @param source name for messages
     * @throws IOException listing missing, unexpected and mis-shaped tensors
     */
    public static void setWeights(VisionTransformer block, Map<String, NDArray> byName, String source)
            throws IOException {
        Map<String, Parameter> params = block.namedParameters();
        List<String> problems = new ArrayList<>();
        TreeSet<String> unexpected = new TreeSet<>(byName.keySet());
        unexpected.removeAll(params.keySet());
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            NDArray a = byName.get(e.getKey());
            Shape want = e.getValue().getArray().getShape();
            if (a == null) {
                problems.add("missing " + e.getKey() + " " + want);
            } else if (!a.getShape().equals(want)) {
                problems.add("shape of " + e.getKey() + " is " + a.getShape() + ", expected " + want);
            }
        }
        for (String u : unexpected) {
            problems.add("unexpected " + u + " " + byName.get(u).getShape());
        }
        if (!problems.isEmpty()) {
            throw new IOException(source + ": weights do not fit " + block.getConfig() + ": " + summary(problems));
        }
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            // conversions belong to the source's manager and are freed with it
            copyInto(e.getValue().getArray(), byName.get(e.getKey()).toType(DataType.FLOAT32, false));
        }
    }

    /** How many problems of each kind (missing, mis-shaped, unexpected) a message names; the rest are counted. */
    static final int PROBLEMS_SHOWN = 3;

    /**
     * A long list of tensor problems summarised: {@code 43 problems: 1 missing (a), 30 mis-shaped
     * (b; c; d; and 27 more), 12 unexpected (...)}; a short one (up to {@link #PROBLEMS_SHOWN}
     * problems) as it is.
     */
    static String summary(List<String> problems) {
        if (problems.size() <= PROBLEMS_SHOWN) {
            return String.join("; ", problems);
        }
        StringBuilder b = new StringBuilder(problems.size() + " problems:");
        String[][] kinds = {{"missing ", "missing"}, {"shape of ", "mis-shaped"}, {"unexpected ", "unexpected"}};
        String sep = " ";
        for (String[] kind : kinds) {
            List<String> of = problems.stream().filter(p -> p.startsWith(kind[0])).toList();
            if (of.isEmpty()) {
                continue;
            }
            b.append(sep).append(of.size()).append(' ').append(kind[1]).append(" (")
                    .append(String.join("; ", of.subList(0, Math.min(PROBLEMS_SHOWN, of.size()))))
                    .append(of.size() > PROBLEMS_SHOWN ? "; and " + (of.size() - PROBLEMS_SHOWN) + " more" : "")
                    .append(')');
            sep = ", ";
        }
        return b.toString();
    }

    /**
     * Copies {@code src} into {@code dst} natively (libtorch's {@code index_put_} over the whole array).
     *
     * <p>Not {@code NDArray.set(float[])} / {@code copyTo}: DJL 0.36's JNI {@code torchSet} opens a
     * {@code torch::AutoNonVariableTypeMode} guard, which makes libtorch 2.7 print its
     * {@code LegacyTypeDispatch.h:74 ... AutoNonVariableTypeMode is deprecated} warning on stderr
     * the first time, and it leaves {@code dst} pointing into a Java direct buffer instead of
     * memory libtorch owns.
     *
     * <p>With autograd off on this thread: a parameter is a leaf that requires a gradient, and
     * libtorch refuses an in-place write into it while grad mode is on, which it is on every thread
     * but the one that started DJL's engine (e.g. a Spark executor's task threads).
     *
     * @param dst the array to overwrite, {@code (...)}
     * @param src values of the same shape
     */
    public static void copyInto(NDArray dst, NDArray src) {
        if (!dst.getShape().equals(src.getShape())) {
            throw new IllegalArgumentException("copy of shape " + src.getShape() + " into " + dst.getShape());
        }
        withoutGrad(() -> dst.set(new NDIndex("..."), src));
    }

    /**
     * Builds a network from model files into a manager (used by DJL's block factory): config,
     * checksums and weights are all checked.
     *
     * @param files the model files
     * @param manager owns the weights
     * @return the initialized network with the saved weights
     * @throws IOException naming what is wrong
     */
    public static VisionTransformer loadBlock(ModelFiles files, NDManager manager) throws IOException {
        ModelDirectory.Contents c = ModelDirectory.read(files);
        Offline.ensure();
        VisionTransformer block = new VisionTransformer(c.config());
        block.initialize(manager, DataType.FLOAT32, inputShape(c.config(), 1));
        try (NDManager tmp = manager.newSubManager()) {
            String source = files.describe(ModelDirectory.WEIGHTS);
            setWeights(block, Safetensors.read(c.weights(), source, tmp), source);
        }
        return block;
    }

    /**
     * The weights as a safetensors file, named as {@link VisionTransformer#namedParameters()}.
     *
     * @return file bytes
     */
    public byte[] weightsAsSafetensors() {
        try (NDManager tmp = model.getNDManager().newSubManager()) {
            NDList list = new NDList();
            for (Map.Entry<String, Parameter> e : block.namedParameters().entrySet()) {
                NDArray copy = tmp.create(e.getValue().getArray().toFloatArray(), e.getValue().getArray().getShape());
                copy.setName(e.getKey());
                list.add(copy);
            }
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            list.encode(bos, NDList.Encoding.SAFETENSORS);
            return bos.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
    }

    /**
     * Saves config, labels, weights and checksums into a model directory, each file atomically.
     *
     * @param dir the directory (created if needed)
     * @throws IOException if writing fails
     */
    public void save(Path dir) throws IOException {
        ModelDirectory.write(dir, config, labels, weightsAsSafetensors());
    }

    /**
     * Runs the model in inference mode.
     *
     * @param images {@code (B, C, H, W)}, normalized; results belong to the images' manager
     * @return {@code NDList(logits (B, K), pooled (B, D))}
     */
    public NDList forward(NDArray images) {
        ParameterStore ps = new ParameterStore(images.getManager(), false);
        return withoutGrad(() -> block.forward(ps, new NDList(images), false));
    }

    /**
     * Patch tokens with position embeddings, before the encoder, in inference mode.
     *
     * @param images {@code (B, C, H, W)}; results belong to the images' manager
     * @return {@code (B, T, D)}, class and register tokens first
     */
    public NDArray embed(NDArray images) {
        ParameterStore ps = new ParameterStore(images.getManager(), false);
        return withoutGrad(() -> block.embed(ps, images, false));
    }

    /**
     * All tokens after the encoder and its final norm, in inference mode (timm's {@code
     * forward_features}; with {@code fc_norm} the norm comes after pooling, so these are unnormed).
     *
     * @param images {@code (B, C, H, W)}; results belong to the images' manager
     * @return {@code (B, T, D)}, class and register tokens first
     */
    public NDArray encoded(NDArray images) {
        ParameterStore ps = new ParameterStore(images.getManager(), false);
        return withoutGrad(() -> block.forwardEncoded(ps, images, false));
    }

    /**
     * The attention probabilities of every block and head, in inference mode ({@link
     * VisionTransformer#attentionMaps}).
     *
     * @param images {@code (B, C, H, W)}; results belong to the images' manager
     * @return {@code (L, B, H, T, T)}, class and register tokens first
     */
    public NDArray attentionMaps(NDArray images) {
        ParameterStore ps = new ParameterStore(images.getManager(), false);
        return withoutGrad(() -> block.attentionMaps(ps, images));
    }

    /**
     * The pooled embedding the head reads, in inference mode (the head is not run).
     *
     * @param images {@code (B, C, H, W)}; results belong to the images' manager
     * @return {@code (B, D)}
     */
    public NDArray pooled(NDArray images) {
        ParameterStore ps = new ParameterStore(images.getManager(), false);
        return withoutGrad(() -> block.pool(ps, block.forwardEncoded(ps, images, false), false));
    }

    /**
     * Runs inference code with autograd off on this thread. libtorch's grad mode is per thread and
     * on by default; DJL turns it off only on the thread that started the engine, so without this
     * every other thread would record an autograd graph for each forward pass.
     */
    private static void withoutGrad(Runnable work) {
        withoutGrad(() -> {
            work.run();
            return null;
        });
    }

    private static <T> T withoutGrad(Supplier<T> work) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return work.get();
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /** @return a new manager on the model's device, for the caller to close */
    public NDManager newManager() {
        return model.getNDManager().newSubManager();
    }

    /** @return the DJL model */
    public Model getModel() {
        return model;
    }

    /** @return the network */
    public VisionTransformer getBlock() {
        return block;
    }

    /** @return the config */
    public ViTConfig getConfig() {
        return config;
    }

    /** @return the class labels, index = class */
    public List<String> getLabels() {
        return labels;
    }

    /** @return the device of the weights */
    public Device getDevice() {
        return model.getNDManager().getDevice();
    }

    @Override
    public void close() {
        model.close();
    }
}
