package org.vit4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File errors name the file the user gave and the reason. */
class IoErrorsTest {

    @TempDir Path tmp;

    @Test
    void fileSystemErrorsGetTheirReasonInWords() {
        assertEquals("missing.npy: no such file or directory", IoErrors.describe(new NoSuchFileException("missing.npy")));
        assertEquals("/etc/x: permission denied", IoErrors.describe(new AccessDeniedException("/etc/x")));
        assertEquals("plain message", IoErrors.describe(new IOException("plain message")));
    }

    @Test
    void writingUnderARegularFileNamesTheTargetNotATemporaryFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("file.txt"), "x");
        Path target = file.resolve("sub/out.png");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "y"));
        assertEquals("cannot write " + target + ": " + file + " is not a directory", e.getMessage());
    }

    @Test
    void aMissingDirectoryIsAnErrorAndIsNotCreated() {
        Path missing = tmp.resolve("nonexistent");
        Path target = missing.resolve("x.json");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "y"));
        assertEquals("cannot write " + target + ": no such file or directory", e.getMessage());
        IOException npy = assertThrows(IOException.class, () -> Npy.write(target, new long[] {1}, new float[] {1}));
        assertEquals("cannot write " + target + ": no such file or directory", npy.getMessage());
        assertFalse(Files.exists(missing), "never created");
    }

    @Test
    void anUnwritableDirectoryIsPermissionDenied() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root may write anywhere: nothing to refuse");
        Path ro = Files.createDirectories(tmp.resolve("rodir"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        Path target = ro.resolve("x.png");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "y"));
        assertEquals("cannot write " + target + ": permission denied", e.getMessage());
        assertFalse(e.getMessage().contains(".tmp"), e.getMessage());
    }
}
