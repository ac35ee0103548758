package dev.entrepot.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code skopeo copy} that answers the digest skopeo pushed ({@code --digestfile}, one file per copy in a dir). */
public final class SkopeoPush {
    private final Path dir;
    private int copies;

    public SkopeoPush(Path dir) {
        this.dir = dir;
    }

    /** Copies {@code source} to {@code destination} ({@code docker://...}); {@code extra} e.g. {@code --all}. */
    public synchronized String push(String source, String destination, String... extra) {
        try {
            Files.createDirectories(dir);
            Path digestFile = dir.resolve("digest-" + copies++);
            List<String> args = new ArrayList<>(List.of(extra));
            args.addAll(List.of("--digestfile", digestFile.toString()));
            Skopeo.copyOk(source, destination, args.toArray(String[]::new));
            return Files.readString(digestFile).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code skopeo delete}: resolves the reference to its digest and deletes that manifest. */
    public static void delete(String dockerRef) {
        Exec.run(java.time.Duration.ofMinutes(1), "skopeo", "delete", "--tls-verify=false", dockerRef).requireOk();
    }
}
