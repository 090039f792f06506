package org.vit4j.position;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.vit4j.patch.PatchGrid;

/**
 * A block whose fixed tables (sin-cos position tables, rotary cos/sin) depend only on the patch
 * grid: each grid's tables are computed once per device and kept for the model's lifetime, in the
 * manager the block was initialized with. Before initialization (a block used without a model)
 * they are computed per call in the caller's manager and not kept.
 */
abstract class GridTableBlock extends AbstractBlock {

    private final Map<String, NDList> tables = new ConcurrentHashMap<>();
    private NDManager manager;

    /**
     * Creates the block.
     *
     * @param version the block's serialization version
     */
    GridTableBlock(byte version) {
        super(version);
    }

    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        super.initialize(manager, dataType, inputShapes);
        this.manager = manager;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        this.manager = manager;
    }

    /**
     * A grid's tables on {@code like}'s device, computed on first use.
     *
     * @param grid the patch grid
     * @param like an array on the caller's manager and device
     * @param compute makes the tables in the given manager (on any device; they are moved to {@code like}'s)
     * @return the tables, owned by the model's manager (or the caller's, before initialization)
     */
    NDList tables(PatchGrid grid, NDArray like, Function<NDManager, NDList> compute) {
        String key = grid.rows() + "x" + grid.cols() + "@" + like.getDevice();
        NDList cached = tables.get(key);
        if (cached != null) {
            return cached;
        }
        NDManager m = manager != null ? manager : like.getManager();
        NDList list = new NDList();
        for (NDArray a : compute.apply(m)) {
            list.add(a.toDevice(like.getDevice(), false));
        }
        if (manager != null) {
            NDScope.unregister(list.toArray(new NDArray[0])); // kept for the model's lifetime, not the caller's scope
            tables.put(key, list);
        }
        return list;
    }
}
