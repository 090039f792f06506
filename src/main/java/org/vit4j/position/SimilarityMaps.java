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
     * @return the picture; each small map is scaled from its own lowest similarity (dark) to its
     *     highest (bright), as in the paper's figure
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
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (float v : sim[p]) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            for (int q = 0; q < rows * cols; q++) {
                // each map on its own scale, as in the paper's figure: its minimum dark, its maximum bright
                g.setColor(color(hi > lo ? (sim[p][q] - lo) / (hi - lo) : 1f));
                g.fillRect(ox + (q % cols) * cell, oy + (q / cols) * cell, cell, cell);
            }
        }
        g.dispose();
        return img;
    }

    /**
     * A viridis-like colour ramp, shared by the pictures of maps (also attention maps).
     *
     * @param t from 0 (dark purple) through 0.5 (teal) to 1 (yellow); clamped to [0, 1]
     * @return the colour
     */
    public static Color color(float t) {
        float[][] stops = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
        float x = Math.max(0f, Math.min(1f, t)) * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) x);
        float f = x - i;
        return new Color(Math.round(stops[i][0] + f * (stops[i + 1][0] - stops[i][0])),
                Math.round(stops[i][1] + f * (stops[i + 1][1] - stops[i][1])),
                Math.round(stops[i][2] + f * (stops[i + 1][2] - stops[i][2])));
    }
}
