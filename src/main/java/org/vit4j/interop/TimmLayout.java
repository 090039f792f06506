package org.vit4j.interop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vit4j.model.Pooling;
import org.vit4j.position.PosEmbedResampler;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.RopeIndexing;
import org.vit4j.position.RopeLayout;

/**
 * The architecture read off a checkpoint in timm names ({@link SourceNames}), the tensor list it
 * implies, and the conversion to vit4j's names ({@code VisionTransformer.namedParameters()}).
 *
 * <p>Inferred from shapes: {@code patch_embed.proj.weight (D, C, P, P)} gives width, channels and
 * patch size; the largest {@code blocks.N} index the depth; {@code blocks.0.mlp.fc1.weight (M, D)}
 * the MLP width; {@code cls_token}, {@code reg_token (1, R, D)}, {@code fc_norm.*},
 * {@code attn.qkv.bias} and {@code head.weight (K, D)} their presence and sizes;
 * {@code pos_embed (1, L, D)} the grid: {@code L = prefix + N} (timm's default, every prefix token
 * has a position) or {@code L = N} ({@code no_embed_class=True}), with a square grid unless the
 * checkpoint's image size is given.
 *
 * <p>Position folding: vit4j gives the class token one learned row and registers none. Register
 * positions are constant per checkpoint, so {@code reg_token + pos_embed[reg rows]} is stored as the
 * register token; with {@code no_embed_class} the class row is zero. Both are exact.
 *
 * <p>Beyond what shapes tell, a layout built from a named architecture ({@link TimmArchitecture})
 * also knows: LayerScale and its names ({@code ls1.gamma}, Eva's {@code gamma_1}), Eva's separate
 * {@code q_bias}/{@code v_bias} (k's bias fixed at zero, so stored as zeros in vit4j's fused
 * {@code qkv.bias}), a rotary embedding ({@code rope.freqs} for rope-mixed), no absolute table,
 * heads, pooling and LayerNorm epsilon.
 */
final class TimmLayout {

    private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\..+");
    private static final Pattern QKV_BIAS = Pattern.compile("blocks\\.\\d+\\.attn\\.qkv\\.bias");

    final int width;
    final int channels;
    final int patch;
    final int depth;
    final int hidden;
    /** Classes of the checkpoint's head, 0 if it has none. */
    final int numClasses;
    final boolean classToken;
    final int registers;
    final boolean fcNorm;
    final boolean qkvBias;
    /** Whether {@code pos_embed} has rows for the prefix tokens (timm {@code no_embed_class=False}). */
    final boolean prefixPositions;
    final int gridRows;
    final int gridCols;

    /** Names of LayerScale factors in a timm checkpoint. */
    enum LayerScaleNames {
        /** No LayerScale. */
        NONE,
        /** timm {@code VisionTransformer}: {@code blocks.i.ls1.gamma}, {@code ls2.gamma}. */
        VIT,
        /** timm {@code Eva}: {@code blocks.i.gamma_1}, {@code gamma_2}. */
        EVA
    }

    // Known from a named architecture (TimmArchitecture), not from shapes; these defaults are the
    // 2021 ViT layout that infer() reads.
    /** Whether {@code pos_embed} exists (false for RoPE-only models). */
    boolean absPos = true;
    /** LayerScale tensor names; detected by infer() when present. */
    LayerScaleNames layerScaleNames = LayerScaleNames.NONE;
    /** LayerScale initial value written into the config (timm's {@code init_values}). */
    double layerScaleInit = 1e-5;
    /** Eva's {@code attn.q_bias}, {@code attn.v_bias} instead of {@code attn.qkv.bias}. */
    boolean qvBias;
    /** Rotary kind, or NONE. */
    PositionEmbeddingKind rope = PositionEmbeddingKind.NONE;
    double ropeTheta;
    RopeLayout ropeLayout;
    RopeIndexing ropeIndexing;
    /** Heads, if the architecture says; else null. */
    Integer heads;
    /** Pooling the architecture uses, or null to decide from the tensors. */
    Pooling pooling;
    /** LayerNorm epsilon of the architecture, or null for the source's. */
    Double layerNormEps;

    private TimmLayout(int width, int channels, int patch, int depth, int hidden, int numClasses,
            boolean classToken, int registers, boolean fcNorm, boolean qkvBias,
            boolean prefixPositions, int gridRows, int gridCols) {
        this.width = width;
        this.channels = channels;
        this.patch = patch;
        this.depth = depth;
        this.hidden = hidden;
        this.numClasses = numClasses;
        this.classToken = classToken;
        this.registers = registers;
        this.fcNorm = fcNorm;
        this.qkvBias = qkvBias;
        this.prefixPositions = prefixPositions;
        this.gridRows = gridRows;
        this.gridCols = gridCols;
    }

    /**
     * A layout from known numbers (a named architecture) rather than from shapes.
     *
     * @param width D
     * @param channels C
     * @param patch P
     * @param depth blocks
     * @param hidden MLP width
     * @param numClasses head classes, 0 for none
     * @param classToken class token present
     * @param registers register tokens
     * @param fcNorm norm after pooling
     * @param qkvBias qkv bias present
     * @param prefixPositions pos_embed has prefix rows
     * @param gridRows checkpoint grid rows
     * @param gridCols checkpoint grid columns
     * @return the layout, for the caller to complete
     */
    static TimmLayout of(int width, int channels, int patch, int depth, int hidden, int numClasses,
            boolean classToken, int registers, boolean fcNorm, boolean qkvBias,
            boolean prefixPositions, int gridRows, int gridCols) {
        return new TimmLayout(width, channels, patch, depth, hidden, numClasses, classToken, registers, fcNorm,
                qkvBias, prefixPositions, gridRows, gridCols);
    }

    /**
     * Reads the architecture off the shapes.
     *
     * @param t tensors in timm names
     * @param sourceImageSize the checkpoint's {@code {H, W}}, or null to assume a square grid
     * @param problems receives what prevents inference, in source names
     * @param name timm name to source name
     * @return the layout, or null if the essential tensors are missing (problems says which)
     */
    static TimmLayout infer(Map<String, NDArray> t, int[] sourceImageSize, List<String> problems,
            UnaryOperator<String> name) {
        NDArray pe = t.get("patch_embed.proj.weight");
        if (pe == null) {
            problems.add("missing " + name.apply("patch_embed.proj.weight")
                    + " (D, C, P, P): cannot infer width, channels and patch size");
            return null;
        }
        Shape ps = pe.getShape();
        if (ps.dimension() != 4 || ps.get(2) != ps.get(3)) {
            problems.add("shape of " + name.apply("patch_embed.proj.weight") + " is " + ps
                    + ", expected (D, C, P, P) with a square P x P kernel");
            return null;
        }
        int d = (int) ps.get(0);
        int c = (int) ps.get(1);
        int p = (int) ps.get(2);
        int depth = 0;
        for (String n : t.keySet()) {
            Matcher m = BLOCK.matcher(n);
            if (m.matches()) {
                depth = Math.max(depth, Integer.parseInt(m.group(1)) + 1);
            }
        }
        if (depth == 0) {
            problems.add("no encoder blocks: missing " + name.apply("blocks.0.norm1.weight") + " and the rest of block 0");
            return null;
        }
        NDArray fc1 = t.get("blocks.0.mlp.fc1.weight");
        int hidden = fc1 != null && fc1.getShape().dimension() == 2 ? (int) fc1.getShape().get(0) : 4 * d;
        boolean cls = t.containsKey("cls_token");
        NDArray reg = t.get("reg_token");
        int r = reg == null ? 0 : (int) reg.getShape().get(reg.getShape().dimension() == 3 ? 1 : 0);
        NDArray head = t.containsKey("head.weight") ? t.get("head.weight") : t.get("head.bias");
        int k = head == null ? 0 : (int) head.getShape().get(0);
        boolean fcNorm = t.containsKey("fc_norm.weight") || t.containsKey("fc_norm.bias");
        boolean qkvBias = t.keySet().stream().anyMatch(n -> QKV_BIAS.matcher(n).matches());

        NDArray pos = t.get("pos_embed");
        String posName = name.apply("pos_embed");
        if (pos == null) {
            problems.add("missing " + posName + " (1, L, D): checkpoints without learned absolute"
                    + " position embeddings are not supported");
            return null;
        }
        Shape pss = pos.getShape();
        if (pss.dimension() != 3 || pss.get(0) != 1 || pss.get(2) != d) {
            problems.add("shape of " + posName + " is " + pss + ", expected (1, L, " + d + ")");
            return null;
        }
        int len = (int) pss.get(1);
        int prefix = (cls ? 1 : 0) + r;
        int rows;
        int cols;
        boolean withPrefix;
        if (sourceImageSize != null) {
            int h = sourceImageSize[0];
            int w = sourceImageSize[1];
            if (h % p != 0 || w % p != 0) {
                problems.add("checkpoint image size " + h + "x" + w + " is not a multiple of the patch size " + p);
                return null;
            }
            rows = h / p;
            cols = w / p;
            int n = rows * cols;
            if (len != n && len != n + prefix) {
                problems.add(posName + " has " + len + " positions, but a " + h + "x" + w + " image in "
                        + p + "-pixel patches has " + n + " patches"
                        + (prefix > 0 ? " (+ " + prefix + " class/register token(s))" : ""));
                return null;
            }
            withPrefix = prefix > 0 && len == n + prefix;
        } else if (prefix > 0 && len > prefix && isSquare(len - prefix)) {
            withPrefix = true;
            rows = cols = (int) Math.round(Math.sqrt(len - prefix));
        } else if (isSquare(len)) {
            withPrefix = false;
            rows = cols = (int) Math.round(Math.sqrt(len));
        } else {
            problems.add(posName + " has " + len + " positions: neither a square grid nor a square grid plus "
                    + prefix + " class/register token(s); give the checkpoint's image size");
            return null;
        }
        TimmLayout l = new TimmLayout(d, c, p, depth, hidden, k, cls, r, fcNorm, qkvBias, withPrefix, rows, cols);
        if (t.containsKey("blocks.0.ls1.gamma") && t.containsKey("blocks.0.ls2.gamma")) { // DINOv2, DeiT-III: LayerScale
            l.layerScaleNames = LayerScaleNames.VIT;
        }
        return l;
    }

    private static boolean isSquare(int n) {
        int s = (int) Math.round(Math.sqrt(n));
        return n > 0 && s * s == n;
    }

    /** @return prefix tokens: class token plus registers */
    int prefix() {
        return (classToken ? 1 : 0) + registers;
    }

    /** @return the tensors (timm names) this layout consists of, with their shapes */
    Map<String, Shape> expected() {
        long d = width;
        Map<String, Shape> e = new LinkedHashMap<>();
        e.put("patch_embed.proj.weight", new Shape(d, channels, patch, patch));
        e.put("patch_embed.proj.bias", new Shape(d));
        if (classToken) {
            e.put("cls_token", new Shape(1, 1, d));
        }
        if (registers > 0) {
            e.put("reg_token", new Shape(1, registers, d));
        }
        if (absPos) {
            e.put("pos_embed", new Shape(1, (long) gridRows * gridCols + (prefixPositions ? prefix() : 0), d));
        }
        if (rope == PositionEmbeddingKind.ROPE_MIXED) {
            e.put("rope.freqs", new Shape(2, depth, heads, d / heads / 2));
        }
        for (int i = 0; i < depth; i++) {
            String b = "blocks." + i + ".";
            e.put(b + "norm1.weight", new Shape(d));
            e.put(b + "norm1.bias", new Shape(d));
            e.put(b + "attn.qkv.weight", new Shape(3 * d, d));
            if (qkvBias && qvBias) {
                e.put(b + "attn.q_bias", new Shape(d));
                e.put(b + "attn.v_bias", new Shape(d));
            } else if (qkvBias) {
                e.put(b + "attn.qkv.bias", new Shape(3 * d));
            }
            e.put(b + "attn.proj.weight", new Shape(d, d));
            e.put(b + "attn.proj.bias", new Shape(d));
            e.put(b + "norm2.weight", new Shape(d));
            e.put(b + "norm2.bias", new Shape(d));
            e.put(b + "mlp.fc1.weight", new Shape(hidden, d));
            e.put(b + "mlp.fc1.bias", new Shape(hidden));
            e.put(b + "mlp.fc2.weight", new Shape(d, hidden));
            e.put(b + "mlp.fc2.bias", new Shape(d));
            if (layerScaleNames != LayerScaleNames.NONE) {
                e.put(b + layerScaleName(1), new Shape(d));
                e.put(b + layerScaleName(2), new Shape(d));
            }
        }
        String norm = fcNorm ? "fc_norm." : "norm.";
        e.put(norm + "weight", new Shape(d));
        e.put(norm + "bias", new Shape(d));
        if (numClasses > 0) {
            e.put("head.weight", new Shape(numClasses, d));
            e.put("head.bias", new Shape(numClasses));
        }
        return e;
    }

    /** timm's name of branch {@code i}'s LayerScale factor inside a block. */
    private String layerScaleName(int i) {
        return layerScaleNames == LayerScaleNames.EVA ? "gamma_" + i : "ls" + i + ".gamma";
    }

    /**
     * Compares the tensors with {@link #expected()}.
     *
     * @param t tensors in timm names
     * @param problems receives missing, mis-shaped and unexpected tensors, in source names
     * @param name timm name to source name
     * @param reported timm names already reported while translating
     */
    void check(Map<String, NDArray> t, List<String> problems, UnaryOperator<String> name, Set<String> reported) {
        Map<String, Shape> expected = expected();
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            NDArray a = t.get(e.getKey());
            if (reported.contains(e.getKey())) {
                continue;
            } else if (a == null) {
                problems.add("missing " + name.apply(e.getKey()) + " " + e.getValue());
            } else if (!a.getShape().equals(e.getValue())) {
                problems.add("shape of " + name.apply(e.getKey()) + " is " + a.getShape() + ", expected " + e.getValue());
            }
        }
        TreeSet<String> unexpected = new TreeSet<>(t.keySet());
        unexpected.removeAll(expected.keySet());
        for (String u : unexpected) {
            problems.add("unexpected " + name.apply(u) + " " + t.get(u).getShape());
        }
    }

    /**
     * Converts checked tensors to vit4j's parameter names and shapes.
     *
     * @param t tensors in timm names, matching {@link #expected()}
     * @param newRows grid rows of the target image size
     * @param newCols grid columns of the target image size
     * @param mode how to resample the position table when the grid changes
     * @return vit4j name to array (head included only if the checkpoint has one)
     */
    Map<String, NDArray> toVit4j(Map<String, NDArray> t, int newRows, int newCols, PosEmbedResampler.Mode mode) {
        long d = width;
        int c = classToken ? 1 : 0;
        Map<String, NDArray> out = new LinkedHashMap<>();
        // Conv2d kernel (D, C, P, P) flattened in (c, y, x) order is the linear projection (D, C·P·P)
        out.put("patch_embed.proj.weight", t.get("patch_embed.proj.weight").reshape(d, (long) channels * patch * patch));
        out.put("patch_embed.proj.bias", t.get("patch_embed.proj.bias"));
        NDArray pos = absPos ? t.get("pos_embed") : null;
        pos = pos == null ? null : pos.reshape(pos.getShape().get(1), d); // (L, D)
        if (classToken) {
            out.put("cls_token", t.get("cls_token").reshape(1, d)); // (1, D)
        }
        if (registers > 0) {
            NDArray reg = t.get("reg_token").reshape(registers, d); // (R, D)
            if (prefixPositions && pos != null) {
                reg = reg.add(pos.get("{}:{}", c, c + registers)); // fold the registers' positions in
            }
            out.put("reg_token", reg);
        }
        if (pos != null) {
            NDArray patches = pos.get("{}:", prefixPositions ? prefix() : 0); // (N, D)
            if (newRows != gridRows || newCols != gridCols) {
                patches = resample(patches, newRows, newCols, mode); // (N', D)
            }
            NDArray table = patches;
            if (classToken) {
                NDArray clsRow = prefixPositions ? pos.get("0:1") : pos.getManager().zeros(new Shape(1, d)); // (1, D)
                table = NDArrays.concat(new NDList(clsRow, patches), 0); // (1 + N', D)
            }
            out.put("pos_embed.table", table);
        }
        if (rope == PositionEmbeddingKind.ROPE_MIXED) {
            out.put("rope.freqs", t.get("rope.freqs")); // same name and shape
        }
        for (int i = 0; i < depth; i++) {
            String b = "blocks." + i + ".";
            norm(t, out, b + "norm1");
            if (qkvBias && qvBias) {
                out.put(b + "attn.qkv.weight", t.get(b + "attn.qkv.weight"));
                NDArray q = t.get(b + "attn.q_bias");
                // Eva: torch.cat((q_bias, k_bias, v_bias)) with k_bias a zero buffer
                out.put(b + "attn.qkv.bias", NDArrays.concat(new NDList(q, q.zerosLike(), t.get(b + "attn.v_bias"))));
            } else {
                linear(t, out, b + "attn.qkv", qkvBias);
            }
            linear(t, out, b + "attn.proj", true);
            norm(t, out, b + "norm2");
            linear(t, out, b + "mlp.fc1", true);
            linear(t, out, b + "mlp.fc2", true);
            if (layerScaleNames != LayerScaleNames.NONE) {
                out.put(b + "ls1.gamma", t.get(b + layerScaleName(1)));
                out.put(b + "ls2.gamma", t.get(b + layerScaleName(2)));
            }
        }
        norm(t, out, fcNorm ? "fc_norm" : "norm");
        if (numClasses > 0) {
            linear(t, out, "head", true);
        }
        return out;
    }

    private static void norm(Map<String, NDArray> t, Map<String, NDArray> out, String n) {
        out.put(n + ".gamma", t.get(n + ".weight"));
        out.put(n + ".beta", t.get(n + ".bias"));
    }

    private static void linear(Map<String, NDArray> t, Map<String, NDArray> out, String n, boolean bias) {
        out.put(n + ".weight", t.get(n + ".weight"));
        if (bias) {
            out.put(n + ".bias", t.get(n + ".bias"));
        }
    }

    private NDArray resample(NDArray patches, int newRows, int newCols, PosEmbedResampler.Mode mode) {
        float[] flat = patches.toFloatArray();
        float[][] grid = new float[gridRows * gridCols][width];
        for (int n = 0; n < grid.length; n++) {
            System.arraycopy(flat, n * width, grid[n], 0, width);
        }
        float[][] r = PosEmbedResampler.resample(grid, gridRows, gridCols, newRows, newCols, mode);
        float[] out = new float[r.length * width];
        for (int n = 0; n < r.length; n++) {
            System.arraycopy(r[n], 0, out, n * width, width);
        }
        return patches.getManager().create(out, new Shape(r.length, width));
    }
}
