package dev.entrepot.e2e.bench;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * The S3 store benchmark that {@code e2e/bench/s3.sh} runs: warm blob throughput of the filesystem store and of the S3
 * store with and without its local tier ({@link WarmBlobs}), then cold pulls through replicas sharing one bucket
 * ({@link ColdReplicas}). Markdown on stdout, progress on stderr; everything under the work dir of the first argument.
 * Settings: {@link Knobs}. Not a test: it asserts nothing, it reports.
 */
public final class S3Bench {
    private S3Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: S3Bench WORK_DIR (run e2e/bench/s3.sh)");
            System.exit(2);
        }
        Path work = Files.createDirectories(Path.of(args[0]));
        Knobs knobs = Knobs.fromEnv();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        int status = 0;
        try {
            if (knobs.wants("warm")) {
                new WarmBlobs(knobs, work.resolve("warm")).run(out);
            }
            if (knobs.wants("cold")) {
                new ColdReplicas(knobs, work.resolve("cold")).run(out);
            }
        } catch (Exception | AssertionError e) {
            log("FAILED: " + e);
            e.printStackTrace();
            status = 1;
        }
        out.flush();
        System.exit(status); // s3proxy's and the HTTP clients' threads would keep the JVM alive
    }

    static void log(String line) {
        System.err.println("[s3bench " + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "] " + line);
    }
}
