package org.vit4j.infer;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Path;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.Precision;
import org.vit4j.model.ModelFiles;
import org.vit4j.model.VitModel;

/**
 * What the builders of {@link VitClassifier} and {@link PatchEncoder} share: which model (one
 * {@code setModel...} is required), where it is loaded, and which forward runs it.
 *
 * @param <B> the concrete builder, returned by every method for chaining
 */
public abstract class FacadeBuilder<B extends FacadeBuilder<B>> {

    private VitModel model;
    private ModelFiles files;
    private Device device = Device.cpu();
    /** The forward engine; default {@link ForwardEngine#COMPILED}. */
    ForwardEngine engine = ForwardEngine.COMPILED;
    /** The precision; default {@link Precision#FP32}. */
    Precision precision = Precision.FP32;

    /** For the builders of this package. */
    FacadeBuilder() {}

    /** @return this builder as its own type */
    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * A loaded model (the facade takes ownership and closes it).
     *
     * @param model the model
     * @return this
     */
    public B setModel(VitModel model) {
        this.model = model;
        return self();
    }

    /**
     * A model directory, loaded by {@code build()}.
     *
     * @param dir the directory
     * @return this
     */
    public B setModelDirectory(Path dir) {
        this.files = ModelFiles.of(dir);
        return self();
    }

    /**
     * Model files from any source (a directory, the classpath; {@link BundledModel#files()}).
     *
     * @param files the files
     * @return this
     */
    public B setModelFiles(ModelFiles files) {
        this.files = files;
        return self();
    }

    /**
     * Where files are loaded to (ignored for {@link #setModel}).
     *
     * @param device default the CPU
     * @return this
     */
    public B optDevice(Device device) {
        this.device = device;
        return self();
    }

    /**
     * Which code runs the forward.
     *
     * @param engine default {@link ForwardEngine#COMPILED} (eager where the config does not compile)
     * @return this
     */
    public B optEngine(ForwardEngine engine) {
        this.engine = engine;
        return self();
    }

    /**
     * Number format of the compiled forward.
     *
     * @param precision default {@link Precision#FP32}
     * @return this
     */
    public B optPrecision(Precision precision) {
        this.precision = precision;
        return self();
    }

    /**
     * Checks the settings and loads the model if files were given.
     *
     * @return the model
     * @throws IOException if the model files cannot be loaded
     * @throws IllegalArgumentException if no or two models are given, or an option is null
     */
    VitModel checkedModel() throws IOException {
        if ((model == null) == (files == null)) {
            throw new IllegalArgumentException("give exactly one of setModel, setModelDirectory, setModelFiles");
        }
        if (device == null || engine == null || precision == null) {
            throw new IllegalArgumentException("device, engine and precision must not be null (device "
                    + device + ", engine " + engine + ", precision " + precision + ")");
        }
        return model != null ? model : VitModel.load(files, device);
    }
}
