package org.vit4j.interop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renames a checkpoint's tensors to timm's names, the importer's common layout, and names timm
 * tensors back in the source's terms for messages. Pure renaming, except for Hugging Face's
 * separate {@code query}, {@code key}, {@code value} projections, which are stacked in that order
 * into timm's fused {@code qkv} ({@code (3D, D)}: the layout torchvision's {@code in_proj_weight}
 * already has).
 *
 * <pre>
 *   timm                      Hugging Face ([vit.] prefix)                        torchvision
 *   patch_embed.proj.*        embeddings.patch_embeddings.projection.*            conv_proj.*
 *   cls_token (1,1,D)         embeddings.cls_token                                class_token
 *   pos_embed (1,L,D)         embeddings.position_embeddings                      encoder.pos_embedding
 *   blocks.N.norm1.*          encoder.layer.N.layernorm_before.*                  encoder.layers.encoder_layer_N.ln_1.*
 *   blocks.N.attn.qkv.*       encoder.layer.N.attention.attention.{query,key,value}.*   ….self_attention.in_proj_{weight,bias}
 *   blocks.N.attn.proj.*      encoder.layer.N.attention.output.dense.*            ….self_attention.out_proj.*
 *   blocks.N.norm2.*          encoder.layer.N.layernorm_after.*                   ….ln_2.*
 *   blocks.N.mlp.fc1.*        encoder.layer.N.intermediate.dense.*                ….mlp.0.* (older: mlp.linear_1.*)
 *   blocks.N.mlp.fc2.*        encoder.layer.N.output.dense.*                      ….mlp.3.* (older: mlp.linear_2.*)
 *   norm.*                    layernorm.*                                         encoder.ln.*
 *   head.*                    classifier.* (no prefix)                            heads.head.*
 * </pre>
 *
 * Hugging Face transformers 5.x renamed the encoder (its ViT refactor, PR #41693); both naming
 * generations are read, told apart by whether any tensor is under {@code [vit.]layers.N.}:
 *
 * <pre>
 *   timm                      transformers 5.x ([vit.] prefix)
 *   blocks.N.norm1.*          layers.N.layernorm_before.*
 *   blocks.N.attn.qkv.*       layers.N.attention.{q_proj,k_proj,v_proj}.*
 *   blocks.N.attn.proj.*      layers.N.attention.o_proj.*
 *   blocks.N.norm2.*          layers.N.layernorm_after.*
 *   blocks.N.mlp.fc1.*        layers.N.mlp.fc1.*
 *   blocks.N.mlp.fc2.*        layers.N.mlp.fc2.*
 * </pre>
 * (embeddings, {@code layernorm} and {@code classifier} as in 4.x).
 *
 * <p>Hugging Face's {@code pooler.dense.*} (the tanh pooler of {@code ViTModel}, unused by the
 * classifier) and {@code embeddings.mask_token} are ignored with a note; any other name is
 * unexpected.
 */
final class SourceNames {

    /** A checkpoint in timm names, with what did not translate. */
    static final class Translated {
        /** timm name to float32 array, in checkpoint order. */
        final Map<String, NDArray> tensors = new LinkedHashMap<>();
        /** Problems found while translating (unexpected names, incomplete q/k/v). */
        final List<String> problems = new ArrayList<>();
        /** Tensors ignored on purpose. */
        final List<String> notes = new ArrayList<>();
        /** timm names whose problem is already in {@link #problems}, not to be reported twice. */
        final Set<String> reported = new HashSet<>();
        private final List<Rule> reverse;

        private Translated(List<Rule> reverse) {
            this.reverse = reverse;
        }

        /**
         * The source's name of a timm tensor, for messages.
         *
         * @param timmName a timm name
         * @return the checkpoint's name for it
         */
        String sourceName(String timmName) {
            for (Rule r : reverse) {
                Matcher m = r.from.matcher(timmName);
                if (m.matches()) {
                    return m.replaceAll(r.to);
                }
            }
            return timmName;
        }
    }

    private record Rule(Pattern from, String to) {
        static Rule of(String from, String to) {
            return new Rule(Pattern.compile(from), to);
        }
    }

    private static final String TV_LAYER = "encoder\\.layers\\.encoder_layer_(\\d+)\\.";
    private static final List<Rule> TORCHVISION = List.of(
            Rule.of("conv_proj\\.(weight|bias)", "patch_embed.proj.$1"),
            Rule.of("class_token", "cls_token"),
            Rule.of("encoder\\.pos_embedding", "pos_embed"),
            Rule.of(TV_LAYER + "ln_1\\.(weight|bias)", "blocks.$1.norm1.$2"),
            Rule.of(TV_LAYER + "self_attention\\.in_proj_(weight|bias)", "blocks.$1.attn.qkv.$2"),
            Rule.of(TV_LAYER + "self_attention\\.out_proj\\.(weight|bias)", "blocks.$1.attn.proj.$2"),
            Rule.of(TV_LAYER + "ln_2\\.(weight|bias)", "blocks.$1.norm2.$2"),
            Rule.of(TV_LAYER + "mlp\\.(?:0|linear_1)\\.(weight|bias)", "blocks.$1.mlp.fc1.$2"),
            Rule.of(TV_LAYER + "mlp\\.(?:3|linear_2)\\.(weight|bias)", "blocks.$1.mlp.fc2.$2"),
            Rule.of("encoder\\.ln\\.(weight|bias)", "norm.$1"),
            Rule.of("heads\\.head\\.(weight|bias)", "head.$1"));
    private static final List<Rule> TORCHVISION_REVERSE = List.of(
            Rule.of("patch_embed\\.proj\\.(\\w+)", "conv_proj.$1"),
            Rule.of("cls_token", "class_token"),
            Rule.of("pos_embed", "encoder.pos_embedding"),
            Rule.of("blocks\\.(\\d+)\\.norm1\\.(\\w+)", "encoder.layers.encoder_layer_$1.ln_1.$2"),
            Rule.of("blocks\\.(\\d+)\\.attn\\.qkv\\.(\\w+)", "encoder.layers.encoder_layer_$1.self_attention.in_proj_$2"),
            Rule.of("blocks\\.(\\d+)\\.attn\\.proj\\.(\\w+)", "encoder.layers.encoder_layer_$1.self_attention.out_proj.$2"),
            Rule.of("blocks\\.(\\d+)\\.norm2\\.(\\w+)", "encoder.layers.encoder_layer_$1.ln_2.$2"),
            Rule.of("blocks\\.(\\d+)\\.mlp\\.fc1\\.(\\w+)", "encoder.layers.encoder_layer_$1.mlp.0.$2"),
            Rule.of("blocks\\.(\\d+)\\.mlp\\.fc2\\.(\\w+)", "encoder.layers.encoder_layer_$1.mlp.3.$2"),
            Rule.of("norm\\.(\\w+)", "encoder.ln.$1"),
            Rule.of("head\\.(\\w+)", "heads.head.$1"));

    private static final String HF_LAYER = "encoder\\.layer\\.(\\d+)\\.";
    private static final Pattern HF_QKV =
            Pattern.compile(HF_LAYER + "attention\\.attention\\.(query|key|value)\\.(weight|bias)");
    private static final Pattern HF_IGNORED =
            Pattern.compile("pooler\\.dense\\.(weight|bias)|embeddings\\.mask_token");
    private static final List<Rule> HF = List.of(
            Rule.of("embeddings\\.cls_token", "cls_token"),
            Rule.of("embeddings\\.position_embeddings", "pos_embed"),
            Rule.of("embeddings\\.patch_embeddings\\.projection\\.(weight|bias)", "patch_embed.proj.$1"),
            Rule.of(HF_LAYER + "layernorm_before\\.(weight|bias)", "blocks.$1.norm1.$2"),
            Rule.of(HF_LAYER + "attention\\.output\\.dense\\.(weight|bias)", "blocks.$1.attn.proj.$2"),
            Rule.of(HF_LAYER + "layernorm_after\\.(weight|bias)", "blocks.$1.norm2.$2"),
            Rule.of(HF_LAYER + "intermediate\\.dense\\.(weight|bias)", "blocks.$1.mlp.fc1.$2"),
            Rule.of(HF_LAYER + "output\\.dense\\.(weight|bias)", "blocks.$1.mlp.fc2.$2"),
            Rule.of("layernorm\\.(weight|bias)", "norm.$1"),
            Rule.of("classifier\\.(weight|bias)", "head.$1"));

    private static final String HF5_LAYER = "layers\\.(\\d+)\\.";
    private static final Pattern HF5_QKV =
            Pattern.compile(HF5_LAYER + "attention\\.(q|k|v)_proj\\.(weight|bias)");
    private static final Pattern HF5_ANY = Pattern.compile("(vit\\.)?" + HF5_LAYER + ".+");
    private static final List<Rule> HF5 = List.of(
            Rule.of("embeddings\\.cls_token", "cls_token"),
            Rule.of("embeddings\\.position_embeddings", "pos_embed"),
            Rule.of("embeddings\\.patch_embeddings\\.projection\\.(weight|bias)", "patch_embed.proj.$1"),
            Rule.of(HF5_LAYER + "layernorm_before\\.(weight|bias)", "blocks.$1.norm1.$2"),
            Rule.of(HF5_LAYER + "attention\\.o_proj\\.(weight|bias)", "blocks.$1.attn.proj.$2"),
            Rule.of(HF5_LAYER + "layernorm_after\\.(weight|bias)", "blocks.$1.norm2.$2"),
            Rule.of(HF5_LAYER + "mlp\\.fc1\\.(weight|bias)", "blocks.$1.mlp.fc1.$2"),
            Rule.of(HF5_LAYER + "mlp\\.fc2\\.(weight|bias)", "blocks.$1.mlp.fc2.$2"),
            Rule.of("layernorm\\.(weight|bias)", "norm.$1"),
            Rule.of("classifier\\.(weight|bias)", "head.$1"));

    private static List<Rule> hf5Reverse(String p) {
        return List.of(
                Rule.of("cls_token", p + "embeddings.cls_token"),
                Rule.of("pos_embed", p + "embeddings.position_embeddings"),
                Rule.of("patch_embed\\.proj\\.(\\w+)", p + "embeddings.patch_embeddings.projection.$1"),
                Rule.of("blocks\\.(\\d+)\\.norm1\\.(\\w+)", p + "layers.$1.layernorm_before.$2"),
                Rule.of("blocks\\.(\\d+)\\.attn\\.qkv\\.(\\w+)", p + "layers.$1.attention.{q,k,v}_proj.$2"),
                Rule.of("blocks\\.(\\d+)\\.attn\\.proj\\.(\\w+)", p + "layers.$1.attention.o_proj.$2"),
                Rule.of("blocks\\.(\\d+)\\.norm2\\.(\\w+)", p + "layers.$1.layernorm_after.$2"),
                Rule.of("blocks\\.(\\d+)\\.mlp\\.fc1\\.(\\w+)", p + "layers.$1.mlp.fc1.$2"),
                Rule.of("blocks\\.(\\d+)\\.mlp\\.fc2\\.(\\w+)", p + "layers.$1.mlp.fc2.$2"),
                Rule.of("norm\\.(\\w+)", p + "layernorm.$1"),
                Rule.of("head\\.(\\w+)", "classifier.$1"));
    }

    private static List<Rule> hfReverse(String p) {
        return List.of(
                Rule.of("cls_token", p + "embeddings.cls_token"),
                Rule.of("pos_embed", p + "embeddings.position_embeddings"),
                Rule.of("patch_embed\\.proj\\.(\\w+)", p + "embeddings.patch_embeddings.projection.$1"),
                Rule.of("blocks\\.(\\d+)\\.norm1\\.(\\w+)", p + "encoder.layer.$1.layernorm_before.$2"),
                Rule.of("blocks\\.(\\d+)\\.attn\\.qkv\\.(\\w+)",
                        p + "encoder.layer.$1.attention.attention.{query,key,value}.$2"),
                Rule.of("blocks\\.(\\d+)\\.attn\\.proj\\.(\\w+)", p + "encoder.layer.$1.attention.output.dense.$2"),
                Rule.of("blocks\\.(\\d+)\\.norm2\\.(\\w+)", p + "encoder.layer.$1.layernorm_after.$2"),
                Rule.of("blocks\\.(\\d+)\\.mlp\\.fc1\\.(\\w+)", p + "encoder.layer.$1.intermediate.dense.$2"),
                Rule.of("blocks\\.(\\d+)\\.mlp\\.fc2\\.(\\w+)", p + "encoder.layer.$1.output.dense.$2"),
                Rule.of("norm\\.(\\w+)", p + "layernorm.$1"),
                Rule.of("head\\.(\\w+)", "classifier.$1"));
    }

    private SourceNames() {}

    /**
     * Translates a checkpoint to timm names.
     *
     * @param source the layout the checkpoint is in
     * @param tensors checkpoint name to float32 array, in file order
     * @return the translation; arrays are the given ones or (q/k/v) new ones of the same manager
     */
    static Translated translate(Source source, Map<String, NDArray> tensors) {
        switch (source) {
            case TIMM:
                Translated t = new Translated(List.of());
                t.tensors.putAll(tensors);
                return t;
            case TORCHVISION:
                return byRules(tensors, TORCHVISION, new Translated(TORCHVISION_REVERSE));
            default:
                return hf(tensors);
        }
    }

    private static Translated byRules(Map<String, NDArray> tensors, List<Rule> rules, Translated out) {
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String timm = rename(e.getKey(), rules);
            if (timm == null || out.tensors.containsKey(timm)) {
                out.problems.add("unexpected " + e.getKey() + " " + e.getValue().getShape()
                        + (timm == null ? "" : " (a second tensor for " + out.sourceName(timm) + ")"));
            } else {
                out.tensors.put(timm, e.getValue());
            }
        }
        return out;
    }

    private static String rename(String name, List<Rule> rules) {
        for (Rule r : rules) {
            Matcher m = r.from.matcher(name);
            if (m.matches()) {
                return m.replaceAll(r.to);
            }
        }
        return null;
    }

    private static Translated hf(Map<String, NDArray> tensors) {
        boolean prefixed = tensors.keySet().stream().anyMatch(n -> n.startsWith("vit."));
        String p = prefixed ? "vit." : "";
        boolean v5 = tensors.keySet().stream().anyMatch(n -> HF5_ANY.matcher(n).matches());
        Pattern qkvPattern = v5 ? HF5_QKV : HF_QKV;
        List<Rule> rules = v5 ? HF5 : HF;
        List<String> kinds = v5 ? List.of("q", "k", "v") : List.of("query", "key", "value");
        String placeholder = v5 ? "{q,k,v}" : "{query,key,value}";
        Translated out = new Translated(v5 ? hf5Reverse(p) : hfReverse(p));
        if (v5) {
            out.notes.add("Hugging Face transformers 5.x tensor names");
        }
        // (layer, weight|bias) -> {query, key, value}
        Map<String, NDArray[]> qkv = new TreeMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String name = e.getKey();
            String bare = name.startsWith("classifier.") ? name : strip(name, p);
            Matcher m = bare == null ? null : qkvPattern.matcher(bare);
            String timm = bare == null ? null : rename(bare, rules);
            if (m != null && m.matches()) {
                NDArray[] slot = qkv.computeIfAbsent("blocks." + m.group(1) + ".attn.qkv." + m.group(3),
                        k -> new NDArray[3]);
                slot[kinds.indexOf(m.group(2))] = e.getValue();
            } else if (bare != null && HF_IGNORED.matcher(bare).matches()) {
                out.notes.add("ignored " + name + " " + e.getValue().getShape()
                        + " (not used by image classification)");
            } else if (timm == null || out.tensors.containsKey(timm)) {
                out.problems.add("unexpected " + name + " " + e.getValue().getShape());
            } else {
                out.tensors.put(timm, e.getValue());
            }
        }
        for (Map.Entry<String, NDArray[]> e : qkv.entrySet()) {
            NDArray[] parts = e.getValue();
            String pattern = out.sourceName(e.getKey());
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                if (parts[i] == null) {
                    missing.add("missing " + pattern.replace(placeholder, kinds.get(i)));
                }
            }
            if (!missing.isEmpty()) {
                out.problems.addAll(missing);
                out.reported.add(e.getKey());
            } else if (!parts[0].getShape().equals(parts[1].getShape())
                    || !parts[0].getShape().equals(parts[2].getShape())) {
                out.problems.add("shapes of " + pattern + " differ: " + parts[0].getShape() + ", "
                        + parts[1].getShape() + ", " + parts[2].getShape());
                out.reported.add(e.getKey());
            } else {
                // q, k, v stacked along the output axis: (3D, D) weight, (3D) bias, timm's qkv order
                out.tensors.put(e.getKey(), NDArrays.concat(new NDList(parts[0], parts[1], parts[2]), 0));
            }
        }
        return out;
    }

    private static String strip(String name, String prefix) {
        if (prefix.isEmpty()) {
            return name;
        }
        return name.startsWith(prefix) ? name.substring(prefix.length()) : null;
    }
}
