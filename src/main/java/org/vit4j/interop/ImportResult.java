package org.vit4j.interop;

import java.nio.file.Path;
import java.util.List;
import org.vit4j.model.ViTConfig;

/**
 * What {@link CheckpointImporter#importTo(Path)} wrote.
 *
 * @param directory the vit4j model directory
 * @param config the config written to {@code config.json} (architecture inferred, preprocessing of
 *     the source)
 * @param labels the labels written to {@code labels.txt}
 * @param sourceTensors how many tensors the checkpoint held
 * @param notes decisions worth telling the user, one line each (heads from the standard width,
 *     position table resampled, tensors ignored, fresh head), for a CLI to print on stderr
 */
public record ImportResult(
        Path directory, ViTConfig config, List<String> labels, int sourceTensors, List<String> notes) {

    /**
     * Defensive copies.
     *
     * @param directory see the record
     * @param config see the record
     * @param labels see the record
     * @param sourceTensors see the record
     * @param notes see the record
     */
    public ImportResult {
        labels = List.copyOf(labels);
        notes = List.copyOf(notes);
    }
}
