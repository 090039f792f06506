package org.vit4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LabelMap}: folder names onto a model's labels. */
class LabelMapTest {

    static final List<String> FASHION = FashionMnist.LABELS;

    @TempDir Path tmp;

    @Test
    void foldersMatchExactlyThenCaseInsensitivelyThenByLettersAndDigits() {
        // "T-shirt/top" cannot be a folder name; "t-shirt_top" is the same letters and digits
        int[] map = LabelMap.match(List.of("Trouser", "ankle boot", "t-shirt_top"), FASHION, Map.of());
        assertArrayEquals(new int[] {1, 9, 0}, map);
    }

    @Test
    void aMapFileSettlesTheRestAndASubsetOfClassesIsFine() throws IOException {
        Path f = Files.writeString(tmp.resolve("map.txt"), "# folder=label\nboot = Ankle boot\n\ntshirt=t-shirt/top\n");
        Map<String, String> explicit = LabelMap.read(f);
        assertEquals(Map.of("boot", "Ankle boot", "tshirt", "t-shirt/top"), explicit);
        assertArrayEquals(new int[] {9, 1, 0}, LabelMap.match(List.of("boot", "trouser", "tshirt"), FASHION, explicit));
    }

    @Test
    void unmatchedAmbiguousAndSharedNamesAreRefusedByName() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> LabelMap.match(List.of("boot", "Bag"), FASHION, Map.of()));
        assertEquals("'boot' matches no label of the model (the model's labels: T-shirt/top, Trouser, Pullover, Dress,"
                + " Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot); name the folders after the labels or give a label map"
                + " of FOLDER=LABEL lines", none.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> LabelMap.match(List.of("bag", "BAG"), FASHION, Map.of()));
        assertEquals("'bag' and 'BAG' both map to 'Bag'", twice.getMessage().substring(0, twice.getMessage().indexOf(" (")));
        IllegalArgumentException several = assertThrows(IllegalArgumentException.class,
                () -> LabelMap.match(List.of("ab"), List.of("A-B", "a b"), Map.of()));
        assertEquals("'ab' matches several labels of the model", several.getMessage().substring(0, several.getMessage().indexOf(" (")));
        IllegalArgumentException stray = assertThrows(IllegalArgumentException.class,
                () -> LabelMap.match(List.of("Bag"), FASHION, Map.of("sack", "Bag")));
        assertEquals("the label map names 'sack', which is not a class of the data",
                stray.getMessage().substring(0, stray.getMessage().indexOf(" (")));
    }

    @Test
    void aLineWithoutEqualsIsRefusedWithItsNumber() throws IOException {
        Path f = Files.writeString(tmp.resolve("bad.txt"), "boot=Ankle boot\nsneaker\n");
        IOException e = assertThrows(IOException.class, () -> LabelMap.read(f));
        assertEquals(f + " line 2: expected FOLDER=LABEL, got 'sneaker'", e.getMessage());
    }

    @Test
    void theRelabelledDataSetHasTheModelsLabelsAndIndices() throws IOException {
        TinyFashion.write(tmp, 10, 20);
        FashionMnist data = FashionMnist.load(tmp, false);
        List<String> reversed = new java.util.ArrayList<>(FASHION);
        java.util.Collections.reverse(reversed);
        int[] map = LabelMap.match(data.labels(), reversed, Map.of());
        ImageDataset r = LabelMap.relabel(data, reversed, map);
        assertEquals(reversed, r.labels());
        assertEquals(data.size(), r.size());
        for (int i = 0; i < data.size(); i++) {
            assertEquals(9 - data.label(i), r.label(i));
            assertArrayEquals(data.pixels(i).data(), r.pixels(i).data());
        }
    }
}
