/**
 * Patches: the grid a model cuts an image into, and the order of its pieces.
 *
 * <ul>
 *   <li>{@link org.vit4j.patch.PatchGrid}: rows × cols of P×P patches, numbered row-major.
 *   <li>{@link org.vit4j.patch.Patchify}: images {@code (B, C, H, W)} ↔ tokens {@code (B, N,
 *       C·P·P)}, each patch flattened in {@code (c, y, x)} order; exact inverses.
 *   <li>{@link org.vit4j.patch.Scrambler} and {@link org.vit4j.patch.ShuffleGrid}: a seeded,
 *       invertible shuffle of an image's blocks — the whole patch grid or a coarser grid — to see
 *       what position embeddings contribute.
 *   <li>{@link org.vit4j.patch.PatchPicture}: pictures of inputs with their grid, for people.
 * </ul>
 */
package org.vit4j.patch;
