package org.vit4j.compiled;

import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a TorchScript archive (what {@code torch.jit.save} writes and {@code torch.jit.load}
 * reads) for a module with no tensors of its own: a zip of
 *
 * <ul>
 *   <li>{@code NAME/data.pkl}: the module object, pickle protocol 2 — {@code __torch__.CLASS} with
 *       its attributes (booleans, integers, doubles, {@code None}, empty tensor and integer lists);
 *   <li>{@code NAME/code/__torch__.py}: the TorchScript source of the class, compiled by libtorch
 *       when it loads the archive;
 *   <li>{@code NAME/constants.pkl}: the empty tuple (no tensor constants);
 *   <li>{@code NAME/version}: {@code 3}, the file format of torch 1.13's {@code torch.jit.save}.
 * </ul>
 *
 * <p>The bytes of {@code data.pkl}, {@code constants.pkl} and {@code version} are those of torch
 * 1.13 for the same attributes (see {@code src/test/resources/compiled/make_fixture.py}); entries are
 * stored uncompressed with a fixed date, so the same module always gives the same bytes.
 */
public final class TorchScriptArchive {

    /** The value of an attribute holding an empty {@code List[Tensor]}. */
    public static final Object EMPTY_TENSOR_LIST = new Object() {
        @Override
        public String toString() {
            return "List[Tensor] []";
        }
    };

    /** The value of an attribute holding an empty {@code List[int]}. */
    public static final Object EMPTY_INT_LIST = new Object() {
        @Override
        public String toString() {
            return "List[int] []";
        }
    };

    private static final String VERSION = "3\n";

    private final String name;
    private final String className;
    private final String source;
    private final Map<String, Object> attributes;

    private TorchScriptArchive(Builder b) {
        this.name = b.name;
        this.className = b.className;
        this.source = b.source;
        this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(b.attributes));
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the attributes in pickle order */
    public Map<String, Object> attributes() {
        return attributes;
    }

    /**
     * The pickled module object: {@code __torch__.CLASS()} with its attribute dictionary.
     *
     * @return the bytes of {@code data.pkl}
     */
    public byte[] dataPickle() {
        Pickler p = new Pickler();
        p.op(0x80).op(2); // PROTO 2
        p.global("__torch__", className);
        p.op(')').op(0x81).op('}').op('('); // EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, MARK
        for (Map.Entry<String, Object> e : attributes.entrySet()) {
            p.string(e.getKey());
            p.value(e.getValue());
        }
        p.op('u').op('b'); // SETITEMS, BUILD
        p.memo();
        p.op('.'); // STOP
        return p.bytes();
    }

    /**
     * Reads a TorchScript program's source, a resource of this package.
     *
     * @param name the resource's file name, e.g. {@code vit.py}
     * @return its text
     * @throws IllegalStateException if the resource is missing from the classpath
     */
    public static String programSource(String name) {
        try (InputStream in = TorchScriptArchive.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads this archive as a module: {@code torch.jit.load} of {@link #toBytes()}, in memory.
     *
     * @param manager owns the module
     * @return the module, for the caller to close
     */
    public PtSymbolBlock load(PtNDManager manager) {
        try (InputStream in = new ByteArrayInputStream(toBytes())) {
            return JniUtils.loadModule(manager, in, true, false);
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory TorchScript archive could not be read", e);
        }
    }

    /** @return the bytes of {@code constants.pkl}: protocol 2, the empty tuple */
    public static byte[] constantsPickle() {
        return new byte[] {(byte) 0x80, 2, ')', '.'};
    }

    /**
     * The archive.
     *
     * @return zip bytes, for {@code torch.jit.load}
     */
    public byte[] toBytes() {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bos)) {
            stored(zip, name + "/data.pkl", dataPickle());
            stored(zip, name + "/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            stored(zip, name + "/constants.pkl", constantsPickle());
            stored(zip, name + "/version", VERSION.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory zip failed", e);
        }
        return bos.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String entry, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(entry);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTimeLocal(LocalDateTime.of(1980, 1, 1, 0, 0)); // reproducible bytes, as torch's own writer
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** The few pickle opcodes a TorchScript module object needs, with memo indices as Python numbers them. */
    private static final class Pickler {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int memo;

        Pickler op(int code) {
            out.write(code);
            return this;
        }

        void memo() {
            op('q').op(memo++); // BINPUT
        }

        void global(String module, String qualified) {
            op('c');
            byte[] text = (module + "\n" + qualified + "\n").getBytes(StandardCharsets.UTF_8);
            out.write(text, 0, text.length);
            memo();
        }

        void string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            op('X').int32(utf8.length); // BINUNICODE
            out.write(utf8, 0, utf8.length);
            memo();
        }

        Pickler int32(int v) {
            byte[] b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
            out.write(b, 0, 4);
            return this;
        }

        void value(Object v) {
            if (v == null) {
                op('N');
            } else if (v instanceof Boolean bool) {
                op(bool ? 0x88 : 0x89); // NEWTRUE, NEWFALSE
            } else if (v instanceof Integer i) {
                if (i >= 0 && i < 256) {
                    op('K').op(i); // BININT1
                } else {
                    op('J').int32(i); // BININT
                }
            } else if (v instanceof Double d) {
                op('G'); // BINFLOAT, big-endian
                byte[] b = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(d).array();
                out.write(b, 0, 8);
            } else if (v == EMPTY_TENSOR_LIST) {
                global("torch.jit._pickle", "build_tensorlist");
                op('(').op(']').op('(').op('e').op('t').op('R'); // (MARK EMPTY_LIST MARK APPENDS TUPLE) REDUCE
            } else if (v == EMPTY_INT_LIST) {
                global("torch.jit._pickle", "build_intlist");
                op('(').op(']').op('(').op('e').op('t').op('R');
            } else {
                throw new IllegalArgumentException("cannot pickle attribute value " + v + " (" + v.getClass().getSimpleName() + ")");
            }
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** Builds an archive; {@code setX} are required. */
    public static final class Builder {
        private String name = "archive";
        private String className;
        private String source;
        private final Map<String, Object> attributes = new LinkedHashMap<>();

        private Builder() {}

        /**
         * The archive's top folder.
         *
         * @param name default {@code archive}, as {@code torch.jit.save} names it
         * @return this
         */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /**
         * The module's class, defined in the source as {@code class NAME(Module):}.
         *
         * @param className a Python identifier
         * @return this
         */
        public Builder setClassName(String className) {
            this.className = className;
            return this;
        }

        /**
         * The TorchScript source of {@code code/__torch__.py}.
         *
         * @param source the class definition
         * @return this
         */
        public Builder setSource(String source) {
            this.source = source;
            return this;
        }

        /**
         * Adds an attribute, in order (the source must declare it with a matching type).
         *
         * @param key the attribute's name
         * @param value a {@code Boolean}, {@code Integer}, {@code Double}, {@code null} or
         *     {@link #EMPTY_TENSOR_LIST}
         * @return this
         */
        public Builder addAttribute(String key, Object value) {
            attributes.put(key, value);
            return this;
        }

        /**
         * Checks the parts.
         *
         * @return the archive
         * @throws IllegalArgumentException naming what is missing or unpicklable
         */
        public TorchScriptArchive build() {
            List<String> problems = new ArrayList<>();
            if (className == null || !className.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                problems.add("class name must be a Python identifier, got " + className);
            } else if (source == null || !source.contains("class " + className + "(Module):")) {
                problems.add("source must define class " + className + "(Module):");
            }
            if (name == null || !name.matches("[A-Za-z0-9_]+")) {
                problems.add("archive name must be letters, digits or _, got " + name);
            }
            for (Map.Entry<String, Object> e : attributes.entrySet()) {
                Object v = e.getValue();
                if (!(v == null || v instanceof Boolean || v instanceof Integer || v instanceof Double
                        || v == EMPTY_TENSOR_LIST || v == EMPTY_INT_LIST)) {
                    problems.add("attribute " + e.getKey() + " has unpicklable value " + v);
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            return new TorchScriptArchive(this);
        }
    }
}
