package org.vit4j.train;

import java.nio.file.Path;

/**
 * What {@link VitTrainer#train} and {@link VitTrainer#resume} give back, as tribuo's
 * {@code Trainer.train} gives back the model: where the trained model is, and how its last epoch
 * did, and how it was made. The model is a model directory (load it with {@code VitModel.load} or
 * {@code InferenceModel.load}) that carries its {@link TrainingProvenance} in
 * {@value TrainingProvenance#FILE}; the run as a whole is in its {@code train.json}
 * ({@link RunDirectory#readRecord()}).
 *
 * @param modelDirectory the run directory, which holds the best model by validation accuracy (the
 *     last one without validation images)
 * @param validation the last epoch's model on the validation images, or null when there are none
 *     or no epoch was run
 * @param epochsRun the epochs this call trained; 0 when a resumed run had nothing left to do
 * @param provenance how the model in {@code modelDirectory} was trained (as saved with it); null
 *     only for a run resumed with nothing to do whose model predates recorded provenance
 */
public record TrainResult(Path modelDirectory, EvalResult validation, int epochsRun,
        TrainingProvenance provenance) {}
