package org.vit4j.position;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * Cosine similarity between the position embeddings of a grid, drawn as the ViT paper's figure 7
 * (Dosovitskiy et al. 2021): one small {@code R×C} map per patch, placed at that patch's position,
 * showing how similar its embedding is to every other patch's.
 */
public final class SimilarityMaps {

    private SimilarityMaps() {}

    /**
     * Cosine similarities of all pairs of rows.
     *
     * @param table {@code (N, D)}
     * @return {@code (N, N)}; a zero row has similarity 0 to everything
     */
    public static float[][] cosine(float[][] table) {
        int n = table.length;
        double[] norm = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (float v : table[i]) {
                s += (double) v * v;
            }
            norm[i] = Math.sqrt(s);
        }
        float[][] sim = new float[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int d = 0; d < table[i].length; d++) {
                    dot += (double) table[i][d] * table[j][d];
                }
                double den = norm[i] * norm[j];
                sim[i][j] = den == 0 ? 0f : (float) (dot / den);
            }
        }
        return sim;
    }

    /**
     * Draws the maps.
     *
     * @param table {@code (R·C, D)}, rows in row-major patch order
     * @param rows R
     * @param cols C
     * @param cell pixels per cell of a small map
     * @return the picture, similarity −1 blue … 0 white … 1 red
     */
    public static BufferedImage render(float[][] table, int rows, int cols, int cell) {
        if (table.length != rows * cols) {
            throw new IllegalArgumentException(
                    "table has " + table.length + " rows for a " + rows + "x" + cols + " grid");
        }
        float[][] sim = cosine(table);
        int gap = Math.max(2, cell);
        int mapW = cols * cell;
        int mapH = rows * cell;
        BufferedImage img = new BufferedImage(cols * (mapW + gap) + gap, rows * (mapH + gap) + gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        for (int p = 0; p < rows * cols; p++) {
            int ox = gap + (p % cols) * (mapW + gap);
            int oy = gap + (p / cols) * (mapH + gap);
            for (int q = 0; q < rows * cols; q++) {
                g.setColor(color(sim[p][q]));
                g.fillRect(ox + (q % cols) * cell, oy + (q / cols) * cell, cell, cell);
            }
        }
        g.dispose();
        return img;
    }

    private static Color color(float s) {
        float v = Math.max(-1f, Math.min(1f, s));
        int a = Math.round(255 * (1 - Math.abs(v)));
        return v >= 0 ? new Color(255, a, a) : new Color(a, a, 255);
    }
}
