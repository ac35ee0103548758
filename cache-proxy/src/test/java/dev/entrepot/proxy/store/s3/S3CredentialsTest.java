package dev.entrepot.proxy.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Where the proxy's key pair comes from: two files, a profile of an AWS credentials file, or the default chain. */
class S3CredentialsTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();

    @TempDir
    Path dir;

    private static S3Settings with(S3Settings s, Path credentialsFile, String profile) {
        return new S3Settings(s.bucket(), s.endpoint(), s.region(), s.prefix(), s.pathStyle(), null, null,
                credentialsFile, profile, s.partSize());
    }

    private static void roundTrip(S3Settings settings) throws IOException {
        try (Bucket bucket = SERVER.connect(settings)) {
            bucket.writeText("probe", "hello");
            assertThat(bucket.readText("probe")).contains("hello");
        }
    }

    @Test
    void keyFilesAreTrimmed() throws IOException {
        roundTrip(SERVER.newBucket()); // the server's files end with a newline
    }

    @Test
    void aProfileOfACredentialsFile() throws IOException {
        Path file = Files.writeString(dir.resolve("credentials"), """
                [default]
                aws_access_key_id = wrong
                aws_secret_access_key = wrong
                [registry]
                aws_access_key_id = %s
                aws_secret_access_key = %s
                """.formatted(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY), StandardCharsets.UTF_8);
        S3Settings bucket = SERVER.newBucket();

        roundTrip(with(bucket, file, "registry"));
        assertThatThrownBy(() -> roundTrip(with(bucket, file, null))).as("the default profile's keys are wrong")
                .isInstanceOf(IOException.class).hasMessageContaining("s3://" + bucket.bucket() + "/probe");
        assertThatThrownBy(() -> roundTrip(with(bucket, dir.resolve("missing"), null)))
                .isInstanceOf(IOException.class).hasMessageContaining("not readable");
    }

    @Test
    void withNeitherTheSdkDefaultChainIsAsked() throws IOException {
        S3Settings bucket = SERVER.newBucket();
        System.setProperty("aws.accessKeyId", S3TestServer.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3TestServer.SECRET_KEY);
        try {
            roundTrip(with(bucket, null, null));
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }
}
