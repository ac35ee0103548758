package dev.entrepot.e2e.bench;

import dev.entrepot.e2e.support.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One {@code curl} GET with its {@code -w} timings; the body to a file, hashed afterwards, then deleted. */
final class Curl {
    record Result(int status, double ttfbSeconds, double totalSeconds, long bytes, String sha256) {
    }

    private Curl() {
    }

    /** @param body where the body goes meanwhile; null: {@code /dev/null}, not hashed */
    static Result get(String url, Path body) throws IOException {
        List<String> command = List.of("curl", "-s", "--max-time", "300", "-o",
                body == null ? "/dev/null" : body.toString(), "-w",
                "%{http_code} %{time_starttransfer} %{time_total} %{size_download}", url);
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!curl.waitFor(310, TimeUnit.SECONDS)) {
                curl.destroyForcibly();
                throw new IOException("curl did not finish: " + url);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        String[] w = out.split(" ");
        if (w.length != 4) {
            throw new IOException("unexpected curl output for " + url + ": " + out);
        }
        String sha256 = null;
        if (body != null) {
            sha256 = Digests.sha256(body);
            Files.deleteIfExists(body);
        }
        return new Result(Integer.parseInt(w[0]), Double.parseDouble(w[1]), Double.parseDouble(w[2]),
                Long.parseLong(w[3]), sha256);
    }
}
