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
        /**
         * A rule that renames names like {@code from} to names like {@code to}, both templates in
         * which {@code {N}} stands for a block index and {@code {w}} for {@code weight} or
         * {@code bias}; everything else is literal.
         */
        static Rule of(String from, String to) {
            StringBuilder regex = new StringBuilder();
            Matcher m = PLACEHOLDER.matcher(from);
            int last = 0;
            while (m.find()) {
                regex.append(Pattern.quote(from.substring(last, m.start())))
                        .append(m.group().equals("{N}") ? "(?<N>\\d+)" : "(?<w>weight|bias)");
                last = m.end();
            }
            regex.append(Pattern.quote(from.substring(last)));
            String replacement = Matcher.quoteReplacement(to).replace("{N}", "${N}").replace("{w}", "${w}");
            return new Rule(Pattern.compile(regex.toString()), replacement);
        }
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[Nw]\\}");

    /**
     * One tensor in timm's name and the source's: the current source name first, then older ones
     * still read. The one table per source; renaming (source to timm) and naming back for messages
     * (timm to source) are both made from it.
     */
    private record Name(String timm, List<String> source) {
        static Name of(String timm, String... source) {
            return new Name(timm, List.of(source));
        }
    }

    private static final String TV_LAYER = "encoder.layers.encoder_layer_{N}.";
    private static final List<Name> TORCHVISION = List.of(
            Name.of("patch_embed.proj.{w}", "conv_proj.{w}"),
            Name.of("cls_token", "class_token"),
            Name.of("pos_embed", "encoder.pos_embedding"),
            Name.of("blocks.{N}.norm1.{w}", TV_LAYER + "ln_1.{w}"),
            Name.of("blocks.{N}.attn.qkv.{w}", TV_LAYER + "self_attention.in_proj_{w}"),
            Name.of("blocks.{N}.attn.proj.{w}", TV_LAYER + "self_attention.out_proj.{w}"),
            Name.of("blocks.{N}.norm2.{w}", TV_LAYER + "ln_2.{w}"),
            Name.of("blocks.{N}.mlp.fc1.{w}", TV_LAYER + "mlp.0.{w}", TV_LAYER + "mlp.linear_1.{w}"),
            Name.of("blocks.{N}.mlp.fc2.{w}", TV_LAYER + "mlp.3.{w}", TV_LAYER + "mlp.linear_2.{w}"),
            Name.of("norm.{w}", "encoder.ln.{w}"),
            Name.of("head.{w}", "heads.head.{w}"));

    private static final String HF_LAYER = "encoder.layer.{N}.";
    /** Hugging Face names without the {@code vit.} prefix; {@code classifier.*} never has it. */
    private static final List<Name> HF = List.of(
            Name.of("cls_token", "embeddings.cls_token"),
            Name.of("pos_embed", "embeddings.position_embeddings"),
            Name.of("patch_embed.proj.{w}", "embeddings.patch_embeddings.projection.{w}"),
            Name.of("blocks.{N}.norm1.{w}", HF_LAYER + "layernorm_before.{w}"),
            // three tensors stacked into one (HF_QKV); as a renaming rule it never matches
            Name.of("blocks.{N}.attn.qkv.{w}", HF_LAYER + "attention.attention.{query,key,value}.{w}"),
            Name.of("blocks.{N}.attn.proj.{w}", HF_LAYER + "attention.output.dense.{w}"),
            Name.of("blocks.{N}.norm2.{w}", HF_LAYER + "layernorm_after.{w}"),
            Name.of("blocks.{N}.mlp.fc1.{w}", HF_LAYER + "intermediate.dense.{w}"),
            Name.of("blocks.{N}.mlp.fc2.{w}", HF_LAYER + "output.dense.{w}"),
            Name.of("norm.{w}", "layernorm.{w}"),
            Name.of("head.{w}", "classifier.{w}"));
    private static final Pattern HF_QKV =
            Pattern.compile("encoder\\.layer\\.(\\d+)\\.attention\\.attention\\.(query|key|value)\\.(weight|bias)");
    private static final Pattern HF_IGNORED =
            Pattern.compile("pooler\\.dense\\.(weight|bias)|embeddings\\.mask_token");

    private static final String HF5_LAYER = "layers.{N}.";
    /** Hugging Face transformers 5.x names (without {@code vit.}): the 4.x tensors renamed. */
    private static final List<Name> HF5 = List.of(
            Name.of("cls_token", "embeddings.cls_token"),
            Name.of("pos_embed", "embeddings.position_embeddings"),
            Name.of("patch_embed.proj.{w}", "embeddings.patch_embeddings.projection.{w}"),
            Name.of("blocks.{N}.norm1.{w}", HF5_LAYER + "layernorm_before.{w}"),
            // three tensors stacked into one (HF5_QKV); as a renaming rule it never matches
            Name.of("blocks.{N}.attn.qkv.{w}", HF5_LAYER + "attention.{q,k,v}_proj.{w}"),
            Name.of("blocks.{N}.attn.proj.{w}", HF5_LAYER + "attention.o_proj.{w}"),
            Name.of("blocks.{N}.norm2.{w}", HF5_LAYER + "layernorm_after.{w}"),
            Name.of("blocks.{N}.mlp.fc1.{w}", HF5_LAYER + "mlp.fc1.{w}"),
            Name.of("blocks.{N}.mlp.fc2.{w}", HF5_LAYER + "mlp.fc2.{w}"),
            Name.of("norm.{w}", "layernorm.{w}"),
            Name.of("head.{w}", "classifier.{w}"));
    private static final Pattern HF5_QKV =
            Pattern.compile("layers\\.(\\d+)\\.attention\\.(q|k|v)_proj\\.(weight|bias)");
    private static final Pattern HF5_ANY = Pattern.compile("(vit\\.)?layers\\.(\\d+)\\..+");

    /** Source name to timm name, every source name of the table. */
    private static List<Rule> renaming(List<Name> names) {
        List<Rule> rules = new ArrayList<>();
        for (Name n : names) {
            for (String source : n.source()) {
                rules.add(Rule.of(source, n.timm()));
            }
        }
        return rules;
    }

    /** timm name to the current source name, {@code prefix} before every name but the classifier. */
    private static List<Rule> namingBack(List<Name> names, String prefix) {
        List<Rule> rules = new ArrayList<>();
        for (Name n : names) {
            String source = n.source().get(0);
            rules.add(Rule.of(n.timm(), (source.startsWith("classifier.") ? "" : prefix) + source));
        }
        return rules;
    }

    private SourceNames() {}

    /**
     * The layout a checkpoint's tensor names point to: the one whose patch projection it has
     * (timm {@code patch_embed.proj.weight}, torchvision {@code conv_proj.weight}, Hugging Face
     * {@code [vit.]embeddings.patch_embeddings.projection.weight}).
     *
     * @param names the checkpoint's tensor names
     * @return the source, or null if none of them
     */
    static Source likelySource(Set<String> names) {
        for (Source s : Source.values()) {
            String patch = s == Source.HF ? "embeddings.patch_embeddings.projection.weight"
                    : s == Source.TORCHVISION ? "conv_proj.weight" : "patch_embed.proj.weight";
            if (names.contains(patch) || s == Source.HF && names.contains("vit." + patch)) {
                return s;
            }
        }
        return null;
    }

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
                return byRules(tensors, renaming(TORCHVISION), new Translated(namingBack(TORCHVISION, "")));
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
        List<String> kinds = v5 ? List.of("q", "k", "v") : List.of("query", "key", "value");
        String placeholder = v5 ? "{q,k,v}" : "{query,key,value}";
        List<Name> table = v5 ? HF5 : HF;
        List<Rule> rules = renaming(table);
        Translated out = new Translated(namingBack(table, p));
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
