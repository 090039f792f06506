/**
 * From image file to the normalized {@code (C, H, W)} float array a Vision Transformer consumes.
 *
 * <p>The path of one image:
 * <ol>
 *   <li>{@link org.vit4j.image.ImageLoader} decodes JPEG, PNG, GIF, BMP, TIFF or WebP to an upright
 *       8-bit {@code TYPE_INT_RGB} or {@code TYPE_BYTE_GRAY} image, refusing decompression bombs
 *       ({@link org.vit4j.image.ImageLoader#DEFAULT_MAX_PIXELS}) and truncated files with an
 *       {@link org.vit4j.image.ImageLoadException} that names the file and the reason.</li>
 *   <li>{@link org.vit4j.image.ImagePreprocessor} scales pixels to {@code [0, 1]}, sizes the image
 *       by a {@link org.vit4j.image.SizingPolicy} (resampling with
 *       {@link org.vit4j.image.Resizer}, PIL's antialiased bilinear/bicubic in float, with the
 *       filter weights of {@link org.vit4j.image.ResampleWeights}), and applies
 *       a {@link org.vit4j.image.Normalization}, giving a
 *       {@link org.vit4j.image.PreprocessedImage}.</li>
 * </ol>
 *
 * <p>Axis convention: planar {@code (C, H, W)}, row-major; sizes are written height first
 * ({@code setImageSize(height, width)}) and messages say {@code HxW} where ambiguous. The
 * reference implementation for every number is PIL/torchvision/timm as used in training
 * pipelines; where we differ (non-square resize-crop keeps the aspect) the Javadoc says so.
 */
package org.vit4j.image;
