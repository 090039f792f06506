package org.vit4j.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.annotations.SerializedName;

/**
 * One line of {@code metrics.jsonl}: what an epoch gave. Written with Gson, so every line is valid
 * JSON; a value that does not exist (no validation set) is {@code null}, never a bare {@code NaN}.
 *
 * @param epoch epochs done, from 1
 * @param step optimizer steps done
 * @param lr learning rate of the epoch's last step
 * @param trainLoss mean training loss (label-smoothed cross-entropy) over the epoch
 * @param trainAccuracy training accuracy over the epoch (with augmentation)
 * @param valLoss validation loss, or null without a validation set
 * @param valAccuracy validation accuracy, or null without a validation set
 * @param best whether this epoch's model was saved as the best one
 * @param imagesPerS training throughput of the epoch
 * @param epochSeconds wall time of the epoch's training steps
 * @param skipped images of the epoch (training and validation) that could not be read and were left out
 */
public record EpochMetrics(
        int epoch,
        long step,
        double lr,
        @SerializedName("train_loss") double trainLoss,
        @SerializedName("train_accuracy") double trainAccuracy,
        @SerializedName("val_loss") Double valLoss,
        @SerializedName("val_accuracy") Double valAccuracy,
        boolean best,
        @SerializedName("images_per_s") double imagesPerS,
        @SerializedName("epoch_seconds") double epochSeconds,
        int skipped) {

    private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    /** @return one line of JSON */
    public String toJson() {
        return GSON.toJson(this);
    }
}
