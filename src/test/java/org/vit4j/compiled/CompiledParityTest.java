package org.vit4j.compiled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vit4j.image.SizingPolicy;
import org.vit4j.model.Architecture;
import org.vit4j.model.ConfigCases;
import org.vit4j.model.ConfigCases.Case;
import org.vit4j.model.Pooling;
import org.vit4j.model.Preprocessing;
import org.vit4j.model.TestModels;
import org.vit4j.model.Variant;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.ViTConfigBuilder;
import org.vit4j.model.VitModel;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.PositionScaling;
import org.vit4j.position.RopeIndexing;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.SinCosLayout;

/**
 * The compiled forward runs every model the eager blocks run, with their numbers: for each case of
 * {@link #cases()}, the engine chosen for {@code --engine compiled} is the compiled one (no
 * fallback), and logits, pooled embedding, tokens after the encoder and tokens before it agree with
 * the eager blocks to 1e-5 in fp32, at the configured input size and at another, non-square grid.
 *
 * <p>The cases ({@link ConfigCases}, which the training parity tests walk too) cover every option
 * of {@link ViTConfig}, checked by reflection over the components
 * of the record and of its parts ({@link #everyConfigOptionIsCovered}): each boolean both ways, each enum value (or
 * the value is one no config can hold), each number and list at a value other than the base's. A
 * component added to the config fails that test until a case here sets it.
 */
class CompiledParityTest {

    private static final double TOLERANCE = 1e-5;

    static List<Case> cases() {
        return ConfigCases.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compilesAndAgreesWithTheEagerBlocks(Case c) throws IOException {
        ViTConfig config = c.config();
        Architecture a = config.architecture();
        int h = a.imageHeight();
        int w = a.imageWidth();
        int p = a.patchSize();
        try (VitModel model = TestModels.create(config, 7);
                InferenceForward f = InferenceForward.of(model, ForwardEngine.COMPILED, Precision.FP32);
                CompiledVit compiled = CompiledVit.compile(model.getBlock(),
                        new Precision.Choice(Precision.FP32, "test"), model.getModel().getNDManager());
                NDManager m = model.newManager()) {
            assertEquals(ForwardEngine.COMPILED, f.engine(), c + ": " + f.describe());
            for (Shape s : List.of(new Shape(2, a.channels(), h, w),
                    new Shape(3, a.channels(), h + 2 * p, w + p))) { // another grid, not square
                NDArray x = TestModels.images(m, 11, s);
                NDList eager = model.forward(x);
                NDList fast = f.forward(x);
                assertClose(eager.get(0), fast.get(0), c + " logits " + s);
                assertClose(eager.get(1), fast.get(1), c + " pooled " + s);
                assertClose(model.pooled(x), f.pooled(x), c + " pooled() " + s);
                assertClose(model.encoded(x), compiled.encoded(x), c + " tokens after the encoder " + s);
                assertClose(model.embed(x), f.embed(x), c + " tokens before the encoder " + s);
            }
        }
    }

    /**
     * DINOv2-S's shape at full size (width 384, depth 12, 6 heads of 64, patch 14 at 224: 256
     * patches, 4 registers, LayerScale, 1000 classes) compiles without falling back and agrees with
     * the eager blocks to 1e-5.
     */
    @Test
    void aDinov2SmallShapedModelCompilesAndAgrees() throws IOException {
        ViTConfig config = Variant.SMALL.toBuilder().setPatchSize(14).optRegisterTokens(4).optLayerScale(1e-5).build();
        try (VitModel model = TestModels.create(config, 5);
                InferenceForward f = InferenceForward.of(model, ForwardEngine.COMPILED, Precision.FP32);
                NDManager m = model.newManager()) {
            assertEquals(ForwardEngine.COMPILED, f.engine(), f.describe());
            NDArray x = TestModels.images(m, 3, new Shape(2, 3, 224, 224));
            NDList eager = model.forward(x);
            NDList fast = f.forward(x);
            assertClose(eager.get(0), fast.get(0), "DINOv2-S-shaped logits");
            assertClose(eager.get(1), fast.get(1), "DINOv2-S-shaped pooled");
        }
    }

    private static void assertClose(NDArray want, NDArray got, String what) {
        assertEquals(want.getShape(), got.getShape(), what);
        float[] a = want.toFloatArray();
        double scale = TestModels.maxAbsDiff(a, new float[a.length]);
        assertTrue(scale > 0.1, what + ": the reference is trivial, max |x| = " + scale);
        double diff = TestModels.maxAbsDiff(a, got.toFloatArray());
        assertTrue(diff <= TOLERANCE, what + ": max |eager - compiled| = " + diff);
    }

    /**
     * Every component of {@link ViTConfig}, {@link Architecture} and {@link Preprocessing} is set by
     * some case to a value other than the base's:
     * booleans both ways, enums to every constant a config can hold (a constant that the canonical
     * constructor refuses beside the base's other values, such as a rotary kind as {@code posEmb},
     * needs no case), numbers and lists to at least one other value. Each case changes the base.
     */
    @Test
    void everyConfigOptionIsCovered() throws ReflectiveOperationException {
        ViTConfig b = ConfigCases.base().build();
        List<Case> cases = cases();
        for (Case c : cases.subList(1, cases.size())) {
            assertNotEquals(b, c.config(), c + " sets nothing the base does not");
        }
        List<String> missing = new ArrayList<>();
        // the config's own components (the rates), then those of its architecture and preprocessing
        missing.addAll(uncovered(ViTConfig.class, cases, c -> c, b));
        missing.addAll(uncovered(Architecture.class, cases, ViTConfig::architecture, b.architecture()));
        missing.addAll(uncovered(Preprocessing.class, cases, ViTConfig::preprocessing, b.preprocessing()));
        assertEquals(new TreeSet<>(), new TreeSet<>(missing),
                "config options no parity case sets; add a case to ConfigCases.all()");
    }

    /** The values of {@code type}'s components (a part of the config) that no case sets. */
    private static <R extends Record> List<String> uncovered(Class<R> type, List<Case> cases,
            Function<ViTConfig, R> part, R base) throws ReflectiveOperationException {
        List<String> missing = new ArrayList<>();
        for (RecordComponent rc : type.getRecordComponents()) {
            if (rc.getType().isRecord()) {
                continue; // a part, covered component by component
            }
            Set<Object> values = new LinkedHashSet<>();
            for (Case c : cases) {
                values.add(rc.getAccessor().invoke(part.apply(c.config())));
            }
            Class<?> t = rc.getType();
            if (t == boolean.class) {
                for (boolean v : new boolean[] {false, true}) {
                    if (!values.contains(v)) {
                        missing.add(rc.getName() + "=" + v);
                    }
                }
            } else if (t.isEnum()) {
                for (Object v : t.getEnumConstants()) {
                    if (!values.contains(v) && holdable(type, base, rc, v)) {
                        missing.add(rc.getName() + "=" + v);
                    }
                }
            } else if (values.size() < 2) {
                missing.add(rc.getName() + " (only " + values + ")");
            }
        }
        return missing;
    }

    /** Whether the base part with one component changed to {@code value} is a valid part. */
    private static <R extends Record> boolean holdable(Class<R> type, R base, RecordComponent changed, Object value)
            throws ReflectiveOperationException {
        RecordComponent[] rcs = type.getRecordComponents();
        Class<?>[] types = Stream.of(rcs).map(RecordComponent::getType).toArray(Class<?>[]::new);
        Object[] args = new Object[rcs.length];
        for (int i = 0; i < rcs.length; i++) {
            args[i] = rcs[i].getName().equals(changed.getName()) ? value : rcs[i].getAccessor().invoke(base);
        }
        Constructor<R> ctor = type.getDeclaredConstructor(types);
        try {
            ctor.newInstance(args);
            return true;
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException) {
                return false;
            }
            throw e;
        }
    }

    /** The program accepts what it implements and names what it does not: its refusal is not silent. */
    @Test
    void everyCaseIsSupportedWithoutAReason() {
        for (Case c : cases()) {
            assertEquals(null, CompiledVit.unsupported(c.config()), c.name());
        }
    }
}
