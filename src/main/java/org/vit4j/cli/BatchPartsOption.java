package org.vit4j.cli;

import org.vit4j.compiled.BatchParts;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --batch-parts}, for the commands that compute batches of images: predict, embed, eval, bench. */
final class BatchPartsOption {

    @Option(names = "--batch-parts", defaultValue = "auto", paramLabel = "N|auto", converter = Name.class,
            description = "Compute each batch of two or more images in N parts at once, one thread each (the compiled"
                    + " forward; a batch of one image is never split), or auto: whole batches, which were faster"
                    + " for inference on the CPUs measured (default: ${DEFAULT-VALUE}).")
    BatchParts parts;

    /** @return the setting ({@code auto} unless given) */
    BatchParts value() {
        return parts == null ? BatchParts.AUTO : parts;
    }

    /** {@code auto} or a positive count. */
    static final class Name implements ITypeConverter<BatchParts> {
        @Override
        public BatchParts convert(String s) {
            try {
                return BatchParts.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("must be a positive number of parts or auto");
            }
        }
    }
}
