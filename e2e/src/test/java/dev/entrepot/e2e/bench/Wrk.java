package dev.entrepot.e2e.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code wrk -t2 -cN} over a list of paths: each wrk thread takes every {@code threads}-th path and walks its share in
 * turn, one path per request, so with more paths than connections no two requests in flight ask for the same one (a
 * local tier that holds one blob at a time misses on every request). The Lua {@code done} hook prints the exact
 * counts, which are parsed here.
 */
final class Wrk {
    private static final String SCRIPT = """
            local next_id = 1
            function setup(thread)
              thread:set("id", next_id)
              next_id = next_id + 1
            end
            function init(args)
              local threads = tonumber(args[2])
              paths = {}
              local i = 0
              for line in io.lines(args[1]) do
                if i % threads == id - 1 then table.insert(paths, line) end
                i = i + 1
              end
              if #paths == 0 then
                for line in io.lines(args[1]) do table.insert(paths, line) end
              end
              n = 0
            end
            function request()
              n = n + 1
              return wrk.format("GET", paths[((n - 1) % #paths) + 1])
            end
            function done(summary, latency, requests)
              local e = summary.errors
              io.write(string.format("S3BENCH requests=%d bytes=%d duration_us=%d connect=%d read=%d write=%d"
                .. " status=%d timeout=%d p50_us=%d p99_us=%d\\n", summary.requests, summary.bytes, summary.duration,
                e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
            end
            """;

    /**
     * One run: counts as wrk gives them (latencies in microseconds). {@code requests} are the completed responses;
     * {@code bytes} every byte read, also of responses still arriving when the time was up.
     */
    record Result(long requests, long bytes, long durationMicros, Map<String, Long> errors, long p50Micros,
                  long p99Micros) {
        long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }

        double mibPerSecond() {
            return bytes / (1024.0 * 1024.0) / (durationMicros / 1e6);
        }

        double requestsPerSecond() {
            return requests / (durationMicros / 1e6);
        }
    }

    private final Path dir;

    Wrk(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("paths.lua"), SCRIPT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Result run(String base, List<String> paths, int threads, int connections, int seconds) {
        try {
            Path list = Files.createTempFile(dir, "paths", ".txt");
            Files.write(list, paths);
            Path out = Files.createTempFile(dir, "wrk", ".out");
            List<String> command = List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                    "--timeout", "120s", "-s", dir.resolve("paths.lua").toString(), base, "--", list.toString(),
                    Integer.toString(threads));
            Process wrk = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!wrk.waitFor(seconds + 180L, TimeUnit.SECONDS)) {
                wrk.destroyForcibly();
                throw new IllegalStateException("wrk did not finish: " + command);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            Files.delete(list);
            Files.delete(out);
            return parse(text, command);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Result parse(String text, List<String> command) {
        String line = text.lines().filter(l -> l.startsWith("S3BENCH ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no result from " + command + ":\n" + text));
        Map<String, Long> values = new HashMap<>();
        for (String pair : line.substring("S3BENCH ".length()).trim().split(" ")) {
            String[] kv = pair.split("=");
            values.put(kv[0], Long.parseLong(kv[1]));
        }
        Map<String, Long> errors = new TreeMap<>();
        for (String kind : List.of("connect", "read", "write", "status", "timeout")) {
            if (values.get(kind) > 0) {
                errors.put(kind, values.get(kind));
            }
        }
        return new Result(values.get("requests"), values.get("bytes"), values.get("duration_us"), errors,
                values.get("p50_us"), values.get("p99_us"));
    }
}
