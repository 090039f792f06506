package org.vit4j.infer;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.vit4j.patch.PatchPicture;
import org.vit4j.position.SimilarityMaps;

/**
 * A picture of an image's {@link AttentionMaps}: panels of the input's size, left to right and top
 * to bottom, at most {@link #COLUMNS} to a row:
 *
 * <ol>
 *   <li>the input with its patch grid ({@link PatchPicture});
 *   <li>per layer, from the first: what the pooled token attends to among the patches, averaged over
 *       the layer's heads ({@link AttentionMaps#pooledAttention} of {@link AttentionMaps#headMean}),
 *       as a heat map laid over the grey input;
 *   <li>the same of the attention rollout ({@link AttentionMaps#rollout}).
 * </ol>
 *
 * Each heat map has its own scale, from 0 (dark) to its largest value (bright), in {@link
 * SimilarityMaps#color}'s ramp; small inputs are magnified by a whole factor to at least {@link
 * #MIN_SIDE} pixels on their longer side.
 */
public final class AttentionPicture {

    /** Panels per row at most. */
    public static final int COLUMNS = 8;

    /** The longer side of a panel is magnified to at least this many pixels (by a whole factor). */
    public static final int MIN_SIDE = 128;

    /** Pixels between panels. */
    public static final int GAP = 8;

    /** Share of the heat map's colour in a heat panel (the rest is the grey input). */
    private static final float HEAT = 0.6f;

    private AttentionPicture() {}

    /**
     * The magnification of an input: {@code max(1, MIN_SIDE / max(H, W))}.
     *
     * @param height H
     * @param width W
     * @return the whole factor
     */
    public static int scale(int height, int width) {
        return Math.max(1, MIN_SIDE / Math.max(height, width));
    }

    /**
     * The picture's size for a model's depth and input.
     *
     * @param layers L
     * @param height H
     * @param width W
     * @return {@code {width, height}} in pixels: {@code L + 2} panels of {@code (W·s) × (H·s)} in rows
     *     of at most {@link #COLUMNS}, {@link #GAP} pixels apart
     */
    public static int[] size(int layers, int height, int width) {
        int s = scale(height, width);
        int panels = layers + 2;
        int cols = Math.min(COLUMNS, panels);
        int rows = (panels + COLUMNS - 1) / COLUMNS;
        return new int[] {cols * width * s + (cols - 1) * GAP, rows * height * s + (rows - 1) * GAP};
    }

    /**
     * Draws the picture.
     *
     * @param maps the maps, with their input
     * @return an RGB picture of {@link #size} pixels
     */
    public static BufferedImage render(AttentionMaps maps) {
        int c = maps.input().channels();
        int h = maps.input().height();
        int w = maps.input().width();
        int s = scale(h, w);
        int[] size = size(maps.layers(), h, w);
        BufferedImage out = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        BufferedImage plain = PatchPicture.render(maps.shown(), c, h, w, 0, s);
        int panel = 0;
        draw(g, PatchPicture.render(maps.shown(), c, h, w, maps.patchSize(), s), panel++, w * s, h * s);
        for (int l = 0; l < maps.layers(); l++) {
            draw(g, heat(plain, maps.pooledAttention(maps.headMean(l)), maps, s), panel++, w * s, h * s);
        }
        draw(g, heat(plain, maps.pooledAttention(maps.rollout()), maps, s), panel, w * s, h * s);
        g.dispose();
        return out;
    }

    private static void draw(Graphics2D g, BufferedImage panel, int index, int pw, int ph) {
        g.drawImage(panel, (index % COLUMNS) * (pw + GAP), (index / COLUMNS) * (ph + GAP), null);
    }

    /** The grey input with each patch tinted by its attention, scaled to the largest. */
    private static BufferedImage heat(BufferedImage plain, float[] attention, AttentionMaps maps, int s) {
        float hi = 0;
        for (float v : attention) {
            hi = Math.max(hi, v);
        }
        int cell = maps.patchSize() * s;
        BufferedImage img = new BufferedImage(plain.getWidth(), plain.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int row = Math.min(maps.gridRows() - 1, y / cell);
                int col = Math.min(maps.gridCols() - 1, x / cell);
                Color heat = SimilarityMaps.color(hi > 0 ? attention[row * maps.gridCols() + col] / hi : 0f);
                int rgb = plain.getRGB(x, y);
                float grey = (((rgb >> 16) & 255) + ((rgb >> 8) & 255) + (rgb & 255)) / 3f;
                img.setRGB(x, y, (mix(grey, heat.getRed()) << 16) | (mix(grey, heat.getGreen()) << 8)
                        | mix(grey, heat.getBlue()));
            }
        }
        return img;
    }

    private static int mix(float grey, int heat) {
        return Math.max(0, Math.min(255, Math.round((1 - HEAT) * grey + HEAT * heat)));
    }
}
