/**
 * Data sets, training and evaluation.
 *
 * <ul>
 *   <li>Data: {@link org.vit4j.train.FashionMnist} (the original gzip IDX files, via {@link
 *       org.vit4j.train.IdxFile}), {@link org.vit4j.train.ImageFolder} (one sub-folder per class),
 *       {@link org.vit4j.train.Subset} (seeded train/validation split).
 *   <li>Training: {@link org.vit4j.train.VitTrainer} with {@link org.vit4j.train.AdamW}, {@link
 *       org.vit4j.train.LrSchedule} (warm-up + cosine), label smoothing, gradient clipping, {@link
 *       org.vit4j.train.Augment}ation; options in {@link org.vit4j.train.TrainOptions}; atomic
 *       checkpoints and exact resume.
 *   <li>Evaluation: {@link org.vit4j.train.Evaluator} → {@link org.vit4j.train.EvalResult}
 *       (accuracy, per-class accuracy, confusion matrix), optionally with scrambled images.
 * </ul>
 *
 * Every random choice is seeded: the same seed on the same machine gives the same metrics.
 */
package org.vit4j.train;
