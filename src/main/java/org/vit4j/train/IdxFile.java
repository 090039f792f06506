package org.vit4j.train;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST (LeCun et al.): a big-endian magic {@code
 * 0x00000800 | rank} for unsigned bytes, {@code rank} big-endian dimension sizes, then the data.
 * Files ending in {@code .gz} are decompressed on the fly.
 *
 * @param dims the dimension sizes, e.g. {@code [60000, 28, 28]}
 * @param data the unsigned bytes, row-major
 */
public record IdxFile(int[] dims, byte[] data) {

    /**
     * Reads a file.
     *
     * @param path an IDX file, optionally gzip-compressed
     * @return its content
     * @throws IOException if it is missing, truncated or not unsigned-byte IDX, naming the file
     */
    public static IdxFile read(Path path) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path));
                InputStream in = path.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw) {
            DataInputStream din = new DataInputStream(in);
            int magic = din.readInt();
            if ((magic >>> 8) != 0x08) {
                throw new IOException(
                        path + ": not an unsigned-byte IDX file (magic 0x" + Integer.toHexString(magic) + ")");
            }
            int rank = magic & 0xff;
            if (rank < 1 || rank > 4) {
                throw new IOException(path + ": IDX rank " + rank + " not supported");
            }
            int[] dims = new int[rank];
            long total = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = din.readInt();
                if (dims[i] < 0) {
                    throw new IOException(path + ": negative IDX dimension " + dims[i]);
                }
                total *= dims[i];
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw new IOException(path + ": IDX data of " + total + " bytes is too large");
            }
            byte[] data = new byte[(int) total];
            din.readFully(data);
            return new IdxFile(dims, data);
        } catch (EOFException e) {
            throw new IOException(path + ": truncated IDX file", e);
        }
    }
}
