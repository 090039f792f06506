package org.vit4j.infer;

import ai.djl.Device;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.vit4j.compiled.BatchParts;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.LinearKernel;
import org.vit4j.compiled.Precision;
import org.vit4j.image.ImageLoadException;
import org.vit4j.image.ImageLoader;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.model.ModelFiles;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/**
 * A vit4j model loaded for inference: its weights ({@link VitModel}), its inference forward
 * (compiled or eager, in the chosen precision; {@link #getForward}), and how its input is read
 * (the {@link ImageLoader} and the model's {@link ImagePreprocessor}). Three views share it: {@link
 * #classifier()} (labels, logits, pooled vector), {@link #encoder()} (embedded tokens, encoded
 * tokens, pooled vector) and {@link #attention()} (attention maps); the views own nothing, so a model is loaded, compiled and closed once
 * however many views use it.
 *
 * <p>Owns the native memory of the weights and the compiled program: close it (try-with-resources);
 * after {@link #close} every call of it and of its views throws {@link IllegalStateException}.
 * Thread-safe: the weights are read-only and every call works in its own {@link NDManager}.
 *
 * <pre>{@code
 * try (InferenceModel model = InferenceModel.builder()
 *         .setModelDirectory(Path.of("models/my-vit"))
 *         .optPrecision(Precision.AUTO)
 *         .build()) {
 *     Classification c = model.classifier().classify(Path.of("shirt.png"), 3);
 *     float[][] patches = model.encoder().embedded(Path.of("shirt.png")); // (N, D)
 * }
 * }</pre>
 */
public final class InferenceModel implements AutoCloseable {

    private final VitModel model;
    private final InferenceForward forward;
    private final ImagePreprocessor preprocessor;
    private final ImageLoader loader;
    private volatile boolean closed;

    private InferenceModel(VitModel model, ImageLoader loader, ForwardEngine engine, Precision precision,
            BatchParts parts) {
        ViTConfig c = model.getConfig();
        if (loader.getChannels() != c.architecture().channels()) {
            model.close();
            throw new IllegalArgumentException("loader gives " + loader.getChannels()
                    + " channel(s), the model reads " + c.architecture().channels());
        }
        this.model = model;
        try {
            this.forward = InferenceForward.of(model, engine, precision, LinearKernel.AUTO, parts);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        this.preprocessor = c.preprocessor();
        this.loader = loader;
    }

    /** @return a builder choosing the model, device, engine, precision and loader */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads a model directory with the default forward (compiled, fp32).
     *
     * @param dir the directory
     * @param device where the weights go
     * @return the model, for the caller to close
     * @throws IOException if the model cannot be loaded
     */
    public static InferenceModel load(Path dir, Device device) throws IOException {
        return builder().setModelDirectory(dir).optDevice(device).build();
    }

    /**
     * Loads the Fashion-MNIST model inside the jar with the default forward.
     *
     * @param device where the weights go
     * @return the model, for the caller to close
     * @throws IOException if the jar has no bundled model
     */
    public static InferenceModel bundled(Device device) throws IOException {
        return builder().setModelFiles(BundledModel.files()).optDevice(device).build();
    }

    /** @return the classifier view: labels, logits and the pooled vector */
    public VitClassifier classifier() {
        return new VitClassifier(this);
    }

    /** @return the encoder view, patch tokens only ({@code T = N}) */
    public VitEncoder encoder() {
        return new VitEncoder(this, false);
    }

    /**
     * The encoder view.
     *
     * @param includePrefix whether the class and register tokens come first ({@code T = c + R + N})
     *     or are dropped ({@code T = N})
     * @return the view
     */
    public VitEncoder encoder(boolean includePrefix) {
        return new VitEncoder(this, includePrefix);
    }

    /** @return the attention view: every block's and head's attention probabilities per image */
    public VitAttention attention() {
        return new VitAttention(this);
    }

    /** @return the weights, config and labels */
    public VitModel getModel() {
        return model;
    }

    /** @return the model's config */
    public ViTConfig getConfig() {
        return model.getConfig();
    }

    /** @return the forward in use: engine and precision, with the reasons */
    public InferenceForward getForward() {
        return forward;
    }

    /** @return the preprocessor matching the model */
    public ImagePreprocessor getPreprocessor() {
        return preprocessor;
    }

    /** @return the loader that decodes files and bytes (the model's channels) */
    public ImageLoader getLoader() {
        return loader;
    }

    /**
     * Decodes and preprocesses a file.
     *
     * @param path an image file
     * @return model input {@code (C, H, W)}
     * @throws ImageLoadException naming the file and the reason
     */
    public PreprocessedImage preprocess(Path path) throws ImageLoadException {
        return preprocessor.apply(loader.load(path), path.toString());
    }

    /**
     * Preprocesses a decoded picture (converted to the model's channels).
     *
     * @param image the picture
     * @return model input {@code (C, H, W)}
     * @throws ImageLoadException if the picture's size is refused by the sizing policy
     */
    public PreprocessedImage preprocess(BufferedImage image) throws ImageLoadException {
        return preprocessor.apply(image);
    }

    /**
     * Preprocesses a DJL image (from any {@code ImageFactory}).
     *
     * @param image the picture
     * @return model input {@code (C, H, W)}
     * @throws ImageLoadException if the picture's size is refused by the sizing policy
     */
    public PreprocessedImage preprocess(Image image) throws ImageLoadException {
        BufferedImage picture;
        try (NDManager m = newManager()) {
            picture = DjlImages.toBufferedImage(image, m);
        }
        return preprocessor.apply(picture);
    }

    /**
     * Decodes and preprocesses a file, keeping a failure as its reason instead of throwing.
     *
     * @param path an image file
     * @param name the input's name in messages (e.g. the path as the user gave it)
     * @return model input {@code (C, H, W)}, or why the file is not one ({@code file is empty})
     */
    public Outcome<PreprocessedImage> read(Path path, String name) {
        try {
            return Outcome.of(name, preprocess(path));
        } catch (IOException | RuntimeException e) {
            return Outcome.failed(name, reason(e, path.toString()));
        } catch (OutOfMemoryError e) {
            return Outcome.failed(name, OUT_OF_MEMORY);
        }
    }

    /**
     * Decodes and preprocesses an encoded image in memory (e.g. a Spark {@code binaryFile} row),
     * keeping a failure as its reason.
     *
     * @param bytes the file's bytes
     * @param name the input's name in messages
     * @return model input {@code (C, H, W)}, or why the bytes are not one
     */
    public Outcome<PreprocessedImage> read(byte[] bytes, String name) {
        try {
            return Outcome.of(name, preprocessor.apply(loader.load(bytes, name), name));
        } catch (IOException | RuntimeException e) {
            return Outcome.failed(name, reason(e, name));
        } catch (OutOfMemoryError e) {
            return Outcome.failed(name, OUT_OF_MEMORY);
        }
    }

    /**
     * Decodes and preprocesses files on all cores; an input that already failed (e.g. a missing
     * path found while scanning) keeps its reason.
     *
     * @param files the files, each a path or why there is none
     * @return one model input or reason per file, in order
     */
    public List<Outcome<PreprocessedImage>> readAll(List<Outcome<Path>> files) {
        return files.parallelStream()
                .map(f -> f.ok() ? read(f.value(), f.name()) : Outcome.<PreprocessedImage>failed(f.name(), f.error()))
                .toList();
    }

    /** The message of an image too large for the heap. */
    private static final String OUT_OF_MEMORY = "not enough memory to decode this image";

    /** The reason in {@code vit4j predict}'s words: the message without its {@code "<source>: "} prefix. */
    private static String reason(Exception e, String source) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        String prefix = source + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    /**
     * A manager for one call's arrays.
     *
     * @return a new sub-manager of the model's
     * @throws IllegalStateException if the model is closed
     */
    NDManager newManager() {
        if (closed) {
            throw new IllegalStateException("this InferenceModel is closed");
        }
        return model.newManager();
    }

    /** Frees the compiled program, then the weights; closing twice does nothing more. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        forward.close();
        model.close();
    }

    /** Builds an {@link InferenceModel}: one {@code setModel...} is required, {@code opt} methods have defaults. */
    public static final class Builder {
        private VitModel model;
        private ModelFiles files;
        private Device device = Device.cpu();
        private ForwardEngine engine = ForwardEngine.COMPILED;
        private Precision precision = Precision.FP32;
        private BatchParts parts = BatchParts.AUTO;
        private ImageLoader loader;
        private Long maxPixels;

        private Builder() {}

        /**
         * A loaded model (the inference model takes ownership and closes it, also when {@code
         * build()} fails).
         *
         * @param model the model
         * @return this
         */
        public Builder setModel(VitModel model) {
            this.model = model;
            return this;
        }

        /**
         * A model directory, loaded by {@code build()}.
         *
         * @param dir the directory
         * @return this
         */
        public Builder setModelDirectory(Path dir) {
            this.files = ModelFiles.of(dir);
            return this;
        }

        /**
         * Model files from any source (a directory, the classpath; {@link BundledModel#files()}).
         *
         * @param files the files
         * @return this
         */
        public Builder setModelFiles(ModelFiles files) {
            this.files = files;
            return this;
        }

        /**
         * Where files are loaded to (ignored for {@link #setModel}).
         *
         * @param device default the CPU
         * @return this
         */
        public Builder optDevice(Device device) {
            this.device = device;
            return this;
        }

        /**
         * Which code runs the forward.
         *
         * @param engine default {@link ForwardEngine#COMPILED} (eager where the config does not compile)
         * @return this
         */
        public Builder optEngine(ForwardEngine engine) {
            this.engine = engine;
            return this;
        }

        /**
         * Number format of the compiled forward: {@code FP32}, {@code BF16}, {@code INT8} (int8
         * linear layers, CPU only: refused with the eager engine or on a GPU) or {@code AUTO} (never
         * int8).
         *
         * @param precision default {@link Precision#FP32}
         * @return this
         */
        public Builder optPrecision(Precision precision) {
            this.precision = precision;
            return this;
        }

        /**
         * How many parts the compiled forward cuts a batch of two or more images into, each
         * computed on one intra-op thread at once, while calls with one image keep all of
         * libtorch's intra-op threads ({@link BatchParts}; a batch of one image is never split).
         * {@code auto}: whole batches (parts were slower for inference on the CPUs measured). The first model of a process built with parts starts libtorch's
         * inter-op pool in this layout and sets libtorch's process-wide intra-op thread count for a
         * moment (threads that first run libtorch in that moment get one thread).
         *
         * @param parts default {@link BatchParts#AUTO}; {@code BatchParts.of(1)} computes every
         *     batch whole
         * @return this
         */
        public Builder optBatchParts(BatchParts parts) {
            this.parts = parts;
            return this;
        }

        /**
         * {@link #optBatchParts(BatchParts)} with a fixed count.
         *
         * @param parts at least 1 (1: every batch whole)
         * @return this
         * @throws IllegalArgumentException if {@code parts} is below 1
         */
        public Builder optBatchParts(int parts) {
            return optBatchParts(BatchParts.of(parts));
        }

        /**
         * How files and bytes are decoded (e.g. another pixel limit or background).
         *
         * @param loader default {@code ImageLoader.builder().optChannels(the model's channels)}, also
         *     for null; its channels must be the model's
         * @return this
         */
        public Builder optLoader(ImageLoader loader) {
            this.loader = loader;
            return this;
        }

        /**
         * The decoder's pixel limit: images with more pixels are refused from their header, before
         * decoding (for the default loader; a loader of one's own brings its own limit).
         *
         * @param maxPixels default {@link ImageLoader#DEFAULT_MAX_PIXELS}; positive
         * @return this
         */
        public Builder optMaxPixels(long maxPixels) {
            this.maxPixels = maxPixels;
            return this;
        }

        /**
         * Checks the settings, loads the model if files were given, and builds its forward.
         *
         * @return the inference model, for the caller to close
         * @throws IOException if the model files cannot be loaded
         * @throws IllegalArgumentException if no or two models are given, an option is null, the
         *     loader's channels are not the model's, a loader and a pixel limit are both given, or
         *     bf16 is asked of the eager path
         */
        public InferenceModel build() throws IOException {
            if ((model == null) == (files == null)) {
                if (model != null) {
                    model.close();
                }
                throw new IllegalArgumentException("give exactly one of setModel, setModelDirectory, setModelFiles");
            }
            if (device == null || engine == null || precision == null || parts == null) {
                if (model != null) {
                    model.close();
                }
                throw new IllegalArgumentException("device, engine, precision and batch parts must not be null (device "
                        + device + ", engine " + engine + ", precision " + precision + ", batch parts " + parts + ")");
            }
            if (loader != null && maxPixels != null) {
                if (model != null) {
                    model.close();
                }
                throw new IllegalArgumentException("give a loader or a pixel limit, not both (the loader has"
                        + " its own limit)");
            }
            VitModel m = model != null ? model : VitModel.load(files, device);
            ImageLoader l;
            try {
                l = loader != null ? loader
                        : ImageLoader.builder().optChannels(m.getConfig().architecture().channels())
                                .optMaxPixels(maxPixels == null ? ImageLoader.DEFAULT_MAX_PIXELS : maxPixels).build();
            } catch (IllegalArgumentException e) {
                m.close();
                throw e;
            }
            return new InferenceModel(m, l, engine, precision, parts);
        }
    }
}
