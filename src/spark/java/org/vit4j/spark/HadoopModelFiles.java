package org.vit4j.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.vit4j.model.ModelFiles;

/**
 * The files of a model directory on any Hadoop file system ({@code hdfs://}, {@code s3a://},
 * {@code file://}, ...), read whole into memory: the model is loaded from the bytes and nothing is
 * copied to local disk. The file system is configured from the executor's Hadoop configuration
 * ({@code core-site.xml} on its class path).
 */
final class HadoopModelFiles implements ModelFiles {

    private final String dir;

    HadoopModelFiles(String dir) {
        this.dir = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
    }

    @Override
    public byte[] read(String name) throws IOException {
        Path root = new Path(dir);
        FileSystem fs = root.getFileSystem(new Configuration());
        if (!fs.exists(root) || !fs.getFileStatus(root).isDirectory()) {
            throw new IOException(dir + ": model directory does not exist");
        }
        try (InputStream in = fs.open(new Path(root, name))) {
            return in.readAllBytes();
        } catch (FileNotFoundException e) {
            throw new IOException(describe(name) + ": missing (not a vit4j model directory?)", e);
        }
    }

    @Override
    public String describe(String name) {
        return dir + "/" + name;
    }
}
