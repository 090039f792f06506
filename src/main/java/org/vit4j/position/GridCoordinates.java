package org.vit4j.position;

import java.util.Objects;
import org.vit4j.patch.PatchGrid;

/**
 * Where the patches of a {@code rows × cols} grid sit, in the coordinates that sin-cos tables and
 * rotary angles are computed at: patch {@code (y, x)} at {@code (y·rowStep, x·colStep)}, and at
 * {@code row(y)·flatCols + col(x)} along one axis ({@code sincos1d}). The one place that applies a
 * {@link PositionScaling}.
 *
 * @param rows grid rows {@code >= 1}
 * @param cols grid columns {@code >= 1}
 * @param rowStep the row coordinate of patch row 1
 * @param colStep the column coordinate of patch column 1
 * @param flatCols the row length of the flattened one-axis order
 */
public record GridCoordinates(int rows, int cols, double rowStep, double colStep, int flatCols) {

    /**
     * Checks the grid.
     *
     * @param rows {@link #rows()}
     * @param cols {@link #cols()}
     * @param rowStep {@link #rowStep()}
     * @param colStep {@link #colStep()}
     * @param flatCols {@link #flatCols()}
     * @throws IllegalArgumentException on a grid smaller than 1×1 or a step that is not positive
     */
    public GridCoordinates {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("grid must be at least 1x1, got " + rows + "x" + cols);
        }
        if (!(rowStep > 0 && colStep > 0 && Double.isFinite(rowStep) && Double.isFinite(colStep)) || flatCols < 1) {
            throw new IllegalArgumentException("coordinate steps must be positive, got " + rowStep + ", " + colStep
                    + " (row length " + flatCols + ")");
        }
    }

    /**
     * A grid's own integer coordinates.
     *
     * @param rows grid rows
     * @param cols grid columns
     * @return steps 1, flattened over {@code cols}
     */
    public static GridCoordinates of(int rows, int cols) {
        return new GridCoordinates(rows, cols, 1, 1, cols);
    }

    /**
     * The coordinates of a model's input grid under a scaling.
     *
     * @param grid the input's patch grid
     * @param trained the grid the model is configured for
     * @param scaling how another grid is placed
     * @return the grid's own coordinates under {@link PositionScaling#EXTRAPOLATE} or on the trained
     *     grid; the trained grid's range ({@code R/R'}, {@code C/C'} steps, flattened over {@code C})
     *     under {@link PositionScaling#INTERPOLATE}
     */
    public static GridCoordinates of(PatchGrid grid, PatchGrid trained, PositionScaling scaling) {
        Objects.requireNonNull(scaling, "scaling");
        boolean same = grid.rows() == trained.rows() && grid.cols() == trained.cols();
        if (scaling == PositionScaling.EXTRAPOLATE || same) {
            return of(grid.rows(), grid.cols());
        }
        return new GridCoordinates(grid.rows(), grid.cols(), (double) trained.rows() / grid.rows(),
                (double) trained.cols() / grid.cols(), trained.cols());
    }

    /**
     * @param y patch row
     * @return its row coordinate
     */
    public double row(int y) {
        return y * rowStep;
    }

    /**
     * @param x patch column
     * @return its column coordinate
     */
    public double col(int x) {
        return x * colStep;
    }

    /**
     * @param y patch row
     * @param x patch column
     * @return its coordinate along the flattened row-major order
     */
    public double flat(int y, int x) {
        return row(y) * flatCols + col(x);
    }

    /** @return {@code rows·cols} */
    public int size() {
        return Math.multiplyExact(rows, cols);
    }
}
