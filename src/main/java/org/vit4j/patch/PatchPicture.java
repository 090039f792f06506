package org.vit4j.patch;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * Pictures of model inputs for people: an image {@code (C, H, W)} with its patch grid drawn on it,
 * and two such pictures side by side.
 */
public final class PatchPicture {

    private PatchPicture() {}

    /**
     * Renders a planar image (values already mapped back to [0, 1]) with grid lines.
     *
     * @param chw01 {@code (C, H, W)} in [0, 1], C = 1 or 3
     * @param channels C
     * @param height H
     * @param width W
     * @param patchSize grid spacing P (0 for no grid)
     * @param scale pixel magnification (≥ 1) so small inputs stay visible
     * @return an RGB picture of {@code (H·scale) × (W·scale)} pixels
     */
    public static BufferedImage render(float[] chw01, int channels, int height, int width, int patchSize, int scale) {
        BufferedImage img = new BufferedImage(width * scale, height * scale, BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        for (int y = 0; y < height * scale; y++) {
            for (int x = 0; x < width * scale; x++) {
                int i = (y / scale) * width + x / scale;
                int r = to8(chw01[i]);
                int g = channels == 3 ? to8(chw01[plane + i]) : r;
                int b = channels == 3 ? to8(chw01[2 * plane + i]) : r;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        if (patchSize > 0) {
            Graphics2D g = img.createGraphics();
            g.setColor(new Color(255, 64, 64));
            for (int y = 0; y <= height; y += patchSize) {
                int yy = Math.min(y * scale, height * scale - 1);
                g.drawLine(0, yy, width * scale - 1, yy);
            }
            for (int x = 0; x <= width; x += patchSize) {
                int xx = Math.min(x * scale, width * scale - 1);
                g.drawLine(xx, 0, xx, height * scale - 1);
            }
            g.dispose();
        }
        return img;
    }

    /**
     * Two pictures side by side with a gap.
     *
     * @param left left picture
     * @param right right picture
     * @return the combined picture
     */
    public static BufferedImage sideBySide(BufferedImage left, BufferedImage right) {
        int gap = 8;
        BufferedImage out = new BufferedImage(left.getWidth() + gap + right.getWidth(),
                Math.max(left.getHeight(), right.getHeight()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(left, 0, 0, null);
        g.drawImage(right, left.getWidth() + gap, 0, null);
        g.dispose();
        return out;
    }

    private static int to8(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }
}
