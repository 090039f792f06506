package org.vit4j.interop;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.vit4j.InvalidOptionException;
import org.vit4j.Offline;
import org.vit4j.io.Safetensors;
import org.vit4j.model.Pooling;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.ViTConfigBuilder;
import org.vit4j.model.VitModel;
import org.vit4j.position.PosEmbedResampler;
import org.vit4j.position.PositionEmbeddingKind;

/**
 * Imports a Vision Transformer checkpoint from timm, Hugging Face or torchvision (a
 * {@code .safetensors} file) into a vit4j model: same numbers, vit4j's names and shapes, the
 * architecture inferred from tensor shapes and the source's preprocessing stored in the config.
 *
 * <pre>{@code
 * ImportResult r = CheckpointImporter.builder()
 *         .setSource(Source.TIMM)
 *         .setWeights(Path.of("vit_base_patch16_224.safetensors"))
 *         .build()
 *         .importTo(Path.of("models/vit-b16"));   // a normal vit4j model directory
 * }</pre>
 *
 * <p>Steps: read the tensors ({@link Safetensors}; F16/BF16/F64 widened to float32); rename them to timm's names
 * ({@link SourceNames}: Hugging Face q/k/v are stacked into one qkv); infer width, depth, patch,
 * channels, MLP width, classes, grid, class/register tokens, {@code fc_norm} and qkv bias from the
 * shapes ({@link TimmLayout}); check that the checkpoint has exactly the tensors that architecture
 * needs, with the right shapes; convert (conv patch kernel {@code (D, C, P, P)} reshaped to the linear
 * {@code (D, C·P·P)}, LayerNorm {@code weight/bias} to {@code gamma/beta}); and, for an image size
 * other than the checkpoint's, resample the patch rows of the learned position table with
 * {@link PosEmbedResampler} (prefix rows kept). Any problem is reported at once, all of them listed,
 * in a {@link CheckpointException}, and nothing is written.
 *
 * <p>A timm {@code config.json} naming a known {@code "architecture"} ({@code TimmArchitecture})
 * replaces shape inference: the architecture's numbers (with {@code model_args} overrides and
 * {@code num_classes}) give the exact tensor list, LayerScale, Eva's q/v bias, registers and the
 * rotary embedding included; an unknown name is refused listing the known ones.
 *
 * <p>Not in the shapes, so taken from options, the source {@code config.json} or defaults:
 * <ul>
 *   <li>heads: {@link Builder#optHeads}, else {@code num_attention_heads} (HF) /
 *       {@code model_args.num_heads} (timm) in the config, else the standard ViT widths
 *       192→3 (Ti), 384→6 (S), 768→12 (B), 1024→16 (L), 1280→16 (H); other widths are refused.
 *   <li>pooling: {@code fc_norm} present → average; else class token if there is one, else average.
 *   <li>LayerNorm epsilon: the source's ({@link Source#layerNormEps()}).
 *   <li>preprocessing: the source's ({@link Source}), then the config's {@code pretrained_cfg}.
 *   <li>labels: {@link Builder#optLabels}, else the config's ({@code id2label}, {@code label_names}),
 *       else {@link Labels#defaults(int)} (ImageNet-1k names for 1000 classes).
 * </ul>
 */
public final class CheckpointImporter {

    private final Source source;
    private final Path weights;
    private final Path sourceConfig;
    private final Integer heads;
    private final Double mlpRatio;
    private final Pooling pooling;
    private final int[] imageSize;
    private final int[] sourceImageSize;
    private final PosEmbedResampler.Mode posResample;
    private final List<String> labels;
    private final Double layerNormEps;
    private final Integer numClasses;
    private final long seed;
    private final UnaryOperator<ViTConfigBuilder> overrides;

    private CheckpointImporter(Builder b) {
        source = b.source;
        weights = b.weights;
        sourceConfig = b.sourceConfig;
        heads = b.heads;
        mlpRatio = b.mlpRatio;
        pooling = b.pooling;
        imageSize = b.imageSize;
        sourceImageSize = b.sourceImageSize;
        posResample = b.posResample;
        labels = b.labels;
        layerNormEps = b.layerNormEps;
        numClasses = b.numClasses;
        seed = b.seed;
        overrides = b.overrides;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Imports the checkpoint and saves it as a vit4j model directory ({@code VitModel.save}). The
     * whole model is built and checked in memory first: on any error nothing is written.
     *
     * @param outDir the model directory (created if needed; model files in it are replaced)
     * @return what was written
     * @throws CheckpointException if the tensors do not fit (all problems listed)
     * @throws IOException if the files cannot be read or written
     * @throws InvalidOptionException if an option contradicts the checkpoint (heads that do not
     *     divide its width, an image size not a multiple of its patch size, a labels count other
     *     than its classes'), naming the option
     * @throws IllegalArgumentException if the resulting config is refused
     */
    public ImportResult importTo(Path outDir) throws IOException {
        Objects.requireNonNull(outDir, "outDir");
        List<String> notes = new ArrayList<>();
        int[] count = new int[1];
        try (VitModel model = convert(Device.cpu(), notes, count)) {
            model.save(outDir);
            return new ImportResult(outDir, model.getConfig(), model.getLabels(), count[0], notes);
        }
    }

    /**
     * Imports the checkpoint into memory without writing anything.
     *
     * @param device where the weights live
     * @return the model, for the caller to close
     * @throws CheckpointException if the tensors do not fit (all problems listed)
     * @throws IOException if the files cannot be read
     */
    public VitModel toModel(Device device) throws IOException {
        return convert(device, new ArrayList<>(), new int[1]);
    }

    private String what() {
        return weights + " (" + source.cliName() + " layout)";
    }

    private VitModel convert(Device device, List<String> notes, int[] count) throws IOException {
        Offline.ensure();
        SourceConfig sc = sourceConfig == null ? SourceConfig.NONE : SourceConfig.read(sourceConfig, source);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Map<String, NDArray> raw = Safetensors.read(weights, m);
            count[0] = raw.size();
            SourceNames.Translated t = SourceNames.translate(source, raw);
            notes.addAll(t.notes);
            List<String> problems = new ArrayList<>(t.problems);
            int[] srcSize = sourceImageSize != null ? sourceImageSize : sc.imageSize;
            TimmLayout layout = source == Source.TIMM && sc.architecture != null
                    ? fromArchitecture(sc, problems, notes)
                    : TimmLayout.infer(t.tensors, srcSize, problems, t::sourceName);
            if (layout != null) {
                layout.check(t.tensors, problems, t::sourceName, t.reported);
                checkHead(layout, problems, t::sourceName);
                if (mlpRatio != null && Math.abs(mlpRatio * layout.width - layout.hidden) > 1e-6) {
                    problems.add("mlpRatio " + mlpRatio + " does not match " + t.sourceName("blocks.0.mlp.fc1.weight")
                            + " (" + layout.hidden + " = " + ((double) layout.hidden / layout.width) + " x " + layout.width + ")");
                }
            }
            if (!problems.isEmpty()) {
                Source likely = SourceNames.likelySource(raw.keySet());
                throw new CheckpointException(what(), problems, likely == source ? null : likely);
            }
            int h = resolveHeads(layout.width, sc, notes, layout);
            if (heads != null && layout.width % heads != 0) {
                throw new InvalidOptionException("heads", heads, "does not divide the checkpoint's width " + layout.width);
            }
            if (imageSize != null && (imageSize[0] % layout.patch != 0 || imageSize[1] % layout.patch != 0)) {
                throw new InvalidOptionException("imageSize", imageSize[0] + "x" + imageSize[1],
                        "not a multiple of the checkpoint's patch size " + layout.patch);
            }
            int k = layout.numClasses > 0 ? layout.numClasses : numClasses;
            int outH = imageSize != null ? imageSize[0] : layout.gridRows * layout.patch;
            int outW = imageSize != null ? imageSize[1] : layout.gridCols * layout.patch;
            ViTConfig config = config(layout, h, k, outH, outW, sc);
            List<String> names = labels != null ? labels
                    : sc.labels != null && sc.labels.size() == k ? sc.labels : Labels.defaults(k);
            if (names.size() != k) {
                throw new InvalidOptionException("labels", names.size(), names.size() + " labels for a checkpoint with " + k + " classes");
            }
            int rows = config.architecture().grid().rows();
            int cols = config.architecture().grid().cols();
            if (layout.absPos && (rows != layout.gridRows || cols != layout.gridCols)) {
                notes.add("position table resampled from " + layout.gridRows + "x" + layout.gridCols + " to "
                        + rows + "x" + cols + " patches (" + posResample.name().toLowerCase() + " bicubic)");
            }
            Map<String, NDArray> converted = layout.toVit4j(t.tensors, rows, cols, posResample);
            VitModel model = VitModel.create(config, names, device, seed);
            try {
                if (layout.numClasses == 0) {
                    Map<String, Parameter> own = model.getBlock().namedParameters();
                    converted.put("head.weight", own.get("head.weight").getArray());
                    converted.put("head.bias", own.get("head.bias").getArray());
                    notes.add("the checkpoint has no classifier: head (" + k + " classes) freshly initialized, seed " + seed);
                }
                model.setWeights(converted, what());
                return model;
            } catch (IOException | RuntimeException e) {
                model.close();
                throw e;
            }
        }
    }

    /**
     * The layout a named timm architecture has ({@link TimmArchitecture}), with the sizes a hub
     * config's {@code model_args} change.
     */
    private TimmLayout fromArchitecture(SourceConfig sc, List<String> problems, List<String> notes) {
        TimmArchitecture a;
        try {
            a = TimmArchitecture.of(sc.architecture);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
        int width = sc.embedDim != null ? sc.embedDim : a.width();
        int depth = sc.depth != null ? sc.depth : a.depth();
        int h = heads != null ? heads : sc.heads != null ? sc.heads : a.heads();
        int patch = sc.patchSize != null ? sc.patchSize : a.patch();
        int[] size = sourceImageSize != null ? sourceImageSize
                : sc.imageSize != null ? sc.imageSize : new int[] {a.imageSize(), a.imageSize()};
        if (size[0] % patch != 0 || size[1] % patch != 0) {
            problems.add("checkpoint image size " + size[0] + "x" + size[1] + " is not a multiple of the patch size " + patch);
            return null;
        }
        int classes = sc.numClasses != null ? sc.numClasses : a.numClasses();
        Pooling pool = sc.pooling != null ? sc.pooling : a.pooling();
        notes.add("architecture " + a.describe());
        return a.layout(width, depth, h, patch, size[0] / patch, size[1] / patch, classes, pool);
    }

    private void checkHead(TimmLayout layout, List<String> problems, UnaryOperator<String> name) {
        if (layout.numClasses == 0 && numClasses == null) {
            problems.add("missing " + name.apply("head.weight") + " (K, " + layout.width + ") and "
                    + name.apply("head.bias") + " (K): a headless backbone (e.g. Hugging Face ViTModel);"
                    + " set numClasses to attach a new, randomly initialized head for fine-tuning");
        } else if (layout.numClasses > 0 && numClasses != null && numClasses != layout.numClasses) {
            problems.add("numClasses " + numClasses + " given, but " + name.apply("head.weight") + " has "
                    + layout.numClasses + " classes");
        }
    }

    private int resolveHeads(int width, SourceConfig sc, List<String> notes, TimmLayout layout)
            throws CheckpointException {
        if (heads != null) {
            return heads;
        }
        if (layout != null && layout.heads != null) {
            return layout.heads;
        }
        if (sc.heads != null) {
            return sc.heads;
        }
        int standard = standardHeads(width);
        if (standard == 0) {
            throw new CheckpointException(what(), List.of("cannot infer the number of attention heads:"
                    + " width " + width + " is not a standard ViT width (192->3, 384->6, 768->12, 1024->16,"
                    + " 1280->16); give heads explicitly (or a config.json with num_attention_heads)"));
        }
        notes.add("heads = " + standard + " (standard for width " + width + ")");
        return standard;
    }

    /**
     * The head count of the published ViT sizes (Dosovitskiy et al. 2021 table 1; Touvron et al.
     * 2021 for Ti and S).
     *
     * @param width embedding width D
     * @return heads, or 0 if D is not a standard width
     */
    public static int standardHeads(int width) {
        switch (width) {
            case 192:
                return 3;
            case 384:
                return 6;
            case 768:
                return 12;
            case 1024:
            case 1280:
                return 16;
            default:
                return 0;
        }
    }

    private ViTConfig config(TimmLayout l, int h, int k, int outH, int outW, SourceConfig sc) {
        Pooling pool = pooling != null ? pooling
                : sc.pooling != null ? sc.pooling
                : l.pooling != null ? l.pooling
                : l.fcNorm || !l.classToken ? Pooling.AVG : Pooling.CLS;
        ViTConfigBuilder b = ViTConfig.builder()
                .setImageSize(outH, outW)
                .setPatchSize(l.patch)
                .optChannels(l.channels)
                .setWidth(l.width)
                .setDepth(l.depth)
                .setHeads(h)
                .optMlpRatio((double) l.hidden / l.width)
                .setNumClasses(k)
                .optPooling(pool)
                .optClassToken(l.classToken)
                .optRegisterTokens(l.registers)
                .optFcNorm(l.fcNorm)
                .optQkvBias(l.qkvBias)
                .optKeyBias(!(l.qkvBias && l.qvBias))
                .optPosEmb(l.absPos ? PositionEmbeddingKind.LEARNED : PositionEmbeddingKind.NONE)
                .optLayerScale(l.layerScaleNames != TimmLayout.LayerScaleNames.NONE ? l.layerScaleInit : 0)
                .optLayerNormEps(layerNormEps != null ? layerNormEps
                        : l.layerNormEps != null ? l.layerNormEps
                        : sc.layerNormEps != null ? sc.layerNormEps : source.layerNormEps());
        if (l.rope.isRope()) {
            b.optRope(l.rope).optRopeTheta(l.ropeTheta).optRopeLayout(l.ropeLayout).optRopeIndexing(l.ropeIndexing);
        }
        source.applyPreprocessing(b);
        sc.applyPreprocessing(b);
        return overrides.apply(b).build();
    }

    /**
     * Builds a {@link CheckpointImporter}. {@code set} methods are required; {@code opt} methods have
     * the documented default. Options are checked in {@link #build()}; whether they fit the
     * checkpoint is checked on import.
     */
    public static final class Builder {
        private Source source;
        private Path weights;
        private Path sourceConfig;
        private Integer heads;
        private Double mlpRatio;
        private Pooling pooling;
        private int[] imageSize;
        private int[] sourceImageSize;
        private PosEmbedResampler.Mode posResample = PosEmbedResampler.Mode.TIMM;
        private List<String> labels;
        private Double layerNormEps;
        private Integer numClasses;
        private long seed = 42;
        private UnaryOperator<ViTConfigBuilder> overrides = UnaryOperator.identity();

        private Builder() {}

        /**
         * Required: the checkpoint's layout.
         *
         * @param source timm, hf or torchvision
         * @return this
         */
        public Builder setSource(Source source) {
            this.source = source;
            return this;
        }

        /**
         * Required: the {@code .safetensors} file.
         *
         * @param weights path
         * @return this
         */
        public Builder setWeights(Path weights) {
            this.weights = weights;
            return this;
        }

        /**
         * The checkpoint's {@code config.json} (Hugging Face {@code ViTConfig}, or timm's hub config
         * with {@code pretrained_cfg}); default none. See {@link SourceConfig} for the fields read.
         *
         * @param configJson path
         * @return this
         */
        public Builder optSourceConfig(Path configJson) {
            this.sourceConfig = configJson;
            return this;
        }

        /**
         * Attention heads; default: config, else from the standard width.
         *
         * @param heads H
         * @return this
         */
        public Builder optHeads(int heads) {
            this.heads = heads;
            return this;
        }

        /**
         * The MLP ratio, checked against {@code fc1} (it is always inferred from there); default
         * unchecked.
         *
         * @param mlpRatio hidden / D
         * @return this
         */
        public Builder optMlpRatio(double mlpRatio) {
            this.mlpRatio = mlpRatio;
            return this;
        }

        /**
         * Pooling; default: avg with fc_norm or without class token, else cls.
         *
         * @param p pooling
         * @return this
         */
        public Builder optPooling(Pooling p) {
            this.pooling = p;
            return this;
        }

        /**
         * Image size to run at; default the checkpoint's. Another size resamples the learned
         * position table ({@link #optPosResample}); non-square sizes are allowed.
         *
         * @param height H, a multiple of the patch size
         * @param width W, a multiple of the patch size
         * @return this
         */
        public Builder optImageSize(int height, int width) {
            this.imageSize = new int[] {height, width};
            return this;
        }

        /**
         * The image size the checkpoint was trained at; default: from the config, else a square
         * grid read off {@code pos_embed}. Needed only for a non-square checkpoint that comes without
         * a config (its patch count fits more than one grid); {@code vit4j import} has no option for
         * it because the checkpoints it reads name their size in {@code --config}.
         *
         * @param height H
         * @param width W
         * @return this
         */
        public Builder optSourceImageSize(int height, int width) {
            this.sourceImageSize = new int[] {height, width};
            return this;
        }

        /**
         * How to resample the position table for {@link #optImageSize}; default
         * {@link PosEmbedResampler.Mode#TIMM} (timm's {@code resample_abs_pos_embed}, antialiased
         * bicubic); {@link PosEmbedResampler.Mode#HF} is Hugging Face's
         * {@code interpolate_pos_encoding} (plain bicubic).
         *
         * @param mode the mode
         * @return this
         */
        public Builder optPosResample(PosEmbedResampler.Mode mode) {
            this.posResample = mode;
            return this;
        }

        /**
         * Class names, one per class; default: config, else {@link Labels#defaults}.
         *
         * @param labels names
         * @return this
         */
        public Builder optLabels(List<String> labels) {
            this.labels = labels == null ? null : List.copyOf(labels);
            return this;
        }

        /**
         * LayerNorm epsilon; default the config's, else {@link Source#layerNormEps()}.
         *
         * @param eps eps
         * @return this
         */
        public Builder optLayerNormEps(double eps) {
            this.layerNormEps = eps;
            return this;
        }

        /**
         * Classes for a checkpoint without a classifier (e.g. Hugging Face {@code ViTModel}): a new
         * head is attached with random weights (truncated normal, std 0.02, zero bias); default none
         * (such a checkpoint is refused). With a head present it must agree.
         *
         * @param numClasses K
         * @return this
         */
        public Builder optNumClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        /**
         * Seed for a freshly initialized head; default 42.
         *
         * @param seed seed
         * @return this
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Last changes to the config builder before it is built, e.g. preprocessing
         * ({@code b -> b.optCropPct(1.0)}); default none. Architecture fields changed here must
         * still fit the weights, or the import is refused.
         *
         * @param overrides function returning the builder
         * @return this
         */
        public Builder optConfigOverrides(UnaryOperator<ViTConfigBuilder> overrides) {
            this.overrides = Objects.requireNonNull(overrides, "overrides");
            return this;
        }

        /**
         * Checks the options.
         *
         * @return the importer
         * @throws IllegalArgumentException naming the first invalid option and its value
         */
        public CheckpointImporter build() {
            check(source != null, "source must be set (timm, hf or torchvision)");
            check(weights != null, "weights (a .safetensors file) must be set");
            check(heads == null || heads > 0, "heads must be positive, got " + heads);
            check(mlpRatio == null || mlpRatio > 0, "mlpRatio must be positive, got " + mlpRatio);
            check(imageSize == null || (imageSize[0] > 0 && imageSize[1] > 0),
                    "image size must be positive, got " + size(imageSize));
            check(sourceImageSize == null || (sourceImageSize[0] > 0 && sourceImageSize[1] > 0),
                    "source image size must be positive, got " + size(sourceImageSize));
            check(posResample != null, "posResample must not be null");
            check(layerNormEps == null || layerNormEps > 0, "layerNormEps must be positive, got " + layerNormEps);
            check(numClasses == null || numClasses > 0, "numClasses must be positive, got " + numClasses);
            check(labels == null || !labels.isEmpty(), "labels must not be empty");
            return new CheckpointImporter(this);
        }

        private static String size(int[] s) {
            return s == null ? "none" : s[0] + "x" + s[1];
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
