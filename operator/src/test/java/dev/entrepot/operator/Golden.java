package dev.entrepot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files live in src/test/resources/golden. Run with -Dentrepot.golden.update=true to
 * rewrite them after an intended change, then review the diff.
 */
public final class Golden {

    private static final Path DIR = Path.of("src/test/resources/golden");

    private Golden() {
    }

    public static void assertMatches(String fileName, String actual) {
        Path file = DIR.resolve(fileName);
        try {
            if (Boolean.getBoolean("entrepot.golden.update")) {
                Files.createDirectories(DIR);
                Files.writeString(file, actual);
            }
            assertThat(file).as("golden file %s (update with -Dentrepot.golden.update=true)", file).exists();
            assertThat(actual).isEqualTo(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
