import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Does DJL's PyTorch engine convert an array to a reduced precision and multiply in it? Prints one
 * line per step; the process dies inside libtorch's JNI bridge if the conversion is unsupported.
 * Run by bf16_probe.sh.
 */
public class Bf16Probe {
    public static void main(String[] args) {
        DataType type = DataType.valueOf(args[0]);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.randomNormal(new Shape(64, 64));
            System.out.println("created float32 " + x.getShape());
            NDArray y = x.toType(type, false);
            System.out.println("converted to " + y.getDataType());
            NDArray z = y.matMul(y).toType(DataType.FLOAT32, false);
            System.out.println("matmul in " + type + ": max |error| vs float32 = "
                    + z.sub(x.matMul(x)).abs().max().getFloat());
        }
    }
}
