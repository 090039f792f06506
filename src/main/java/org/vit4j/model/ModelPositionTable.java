package org.vit4j.model;

import java.util.Arrays;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.PositionTable;

/** A loaded model's position-embedding table ({@link PositionTable}): its learned table or its rotary one. */
public final class ModelPositionTable {

    private ModelPositionTable() {}

    /**
     * The model's table of a kind, on its own grid or another.
     *
     * @param model the model
     * @param kind {@code learned} or the model's rotary kind
     * @param rows grid rows, or 0 for the model's grid (a learned table is always on the model's)
     * @param cols grid columns, or 0 for the model's grid
     * @param block rope-mixed: the block whose frequencies to show
     * @param head rope-mixed: the head whose frequencies to show
     * @return the table
     * @throws IllegalStateException if the model has no table of that kind: {@code the model's
     *     position embedding is 'rope-dinov3', not a learned table}
     * @throws IllegalArgumentException if the block or head is outside the model, or the table too large
     */
    public static PositionTable of(VitModel model, PositionEmbeddingKind kind, int rows, int cols, int block,
            int head) {
        Architecture a = model.getConfig().architecture();
        if (kind == PositionEmbeddingKind.LEARNED) {
            if (a.posEmb() != PositionEmbeddingKind.LEARNED) {
                throw new IllegalStateException("the model's position embedding is '" + a.positionName()
                        + "', not a learned table");
            }
            float[] flat = model.getBlock().getPositionEmbedding().getTable().getArray().toFloatArray();
            return PositionTable.learned(flat, a.classToken() ? 1 : 0, a.grid().rows(), a.grid().cols(), a.width());
        }
        if (a.rope() != kind) {
            throw new IllegalStateException("the model's position embedding is '" + a.positionName()
                    + "', not " + kind.cliName());
        }
        int r = rows == 0 ? a.grid().rows() : rows;
        int c = cols == 0 ? a.grid().cols() : cols;
        int hd = a.width() / a.heads();
        float[][] freqs = null;
        String which = "";
        if (kind == PositionEmbeddingKind.ROPE_MIXED) {
            if (block < 0 || block >= a.depth() || head < 0 || head >= a.heads()) {
                throw new IllegalArgumentException("--block " + block + " --head " + head + " is outside the model's "
                        + a.depth() + " blocks x " + a.heads() + " heads");
            }
            // rope.freqs (2, depth, H, hd/2): one head's x and y frequencies
            float[] f = model.getBlock().getRotaryEmbedding().getFreqs().getArray().toFloatArray();
            int half = hd / 2;
            int at = (block * a.heads() + head) * half;
            int y = a.depth() * a.heads() * half;
            freqs = new float[][] {Arrays.copyOfRange(f, at, at + half), Arrays.copyOfRange(f, y + at, y + at + half)};
            which = ", block " + block + " head " + head;
        }
        return PositionTable.rotary(kind, r, c, hd, a.ropeTheta(), a.ropeIndexing(), a.ropeLayout(), freqs, which);
    }
}
