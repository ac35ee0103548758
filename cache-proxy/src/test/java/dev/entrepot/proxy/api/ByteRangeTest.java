package dev.entrepot.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangeTest {
    private static final long SIZE = 1000;

    @Test
    void closedRangeIsInclusive() {
        ByteRange range = ByteRange.parse("bytes=0-99", SIZE);

        assertThat(range).isEqualTo(new ByteRange(0, 100));
        assertThat(range.end()).isEqualTo(99);
        assertThat(range.contentRange(SIZE)).isEqualTo("bytes 0-99/1000");
    }

    @Test
    void singleByteRange() {
        ByteRange range = ByteRange.parse("bytes=999-999", SIZE);

        assertThat(range).isEqualTo(new ByteRange(999, 1));
        assertThat(range.contentRange(SIZE)).isEqualTo("bytes 999-999/1000");
    }

    @Test
    void openRangeRunsToTheEnd() {
        ByteRange range = ByteRange.parse("bytes=400-", SIZE);

        assertThat(range).isEqualTo(new ByteRange(400, 600));
        assertThat(range.contentRange(SIZE)).isEqualTo("bytes 400-999/1000");
    }

    @Test
    void suffixRangeIsTheLastNBytes() {
        ByteRange range = ByteRange.parse("bytes=-100", SIZE);

        assertThat(range).isEqualTo(new ByteRange(900, 100));
        assertThat(range.contentRange(SIZE)).isEqualTo("bytes 900-999/1000");
    }

    @Test
    void endPastTheBlobIsClamped() {
        assertThat(ByteRange.parse("bytes=990-5000", SIZE)).isEqualTo(new ByteRange(990, 10));
        assertThat(ByteRange.parse("bytes=0-" + Long.MAX_VALUE, SIZE)).isEqualTo(new ByteRange(0, SIZE));
    }

    @Test
    void suffixLongerThanTheBlobIsTheWholeBlob() {
        assertThat(ByteRange.parse("bytes=-5000", SIZE)).isEqualTo(new ByteRange(0, SIZE));
    }

    @Test
    void surroundingWhitespaceIsTolerated() {
        assertThat(ByteRange.parse("  bytes=10-19 ", SIZE)).isEqualTo(new ByteRange(10, 10));
    }

    @Test
    void noHeaderMeansTheWholeBlob() {
        assertThat(ByteRange.parse(null, SIZE)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "bytes=", "bytes=-", "bytes=abc", "bytes=1-a", "bytes 0-99", "items=0-99", "0-99",
            "bytes=0-1,5-6", "bytes=0-99, 200-299", "bytes=-5-6", "bytes=+1-2",
            "bytes=99999999999999999999-", "bytes=0-99999999999999999999", "bytes=-99999999999999999999"
    })
    void malformedOrMultipleRangesAreIgnored(String header) {
        assertThat(ByteRange.parse(header, SIZE)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=1000-", "bytes=1000-2000", "bytes=5000-5001", "bytes=-0", "bytes=5-2", "bytes=500-0"})
    void unsatisfiableRangeIs416WithTheSize(String header) {
        OciException e = catchThrowableOfType(() -> ByteRange.parse(header, SIZE), OciException.class);

        assertThat(e).as(header).isNotNull();
        assertThat(e.code()).isEqualTo(OciErrorCode.RANGE_NOT_SATISFIABLE);
        assertThat(e.status()).isEqualTo(416);
        assertThat(e.headers()).isEqualTo(Map.of("Content-Range", "bytes */1000"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=0-", "bytes=0-0", "bytes=-1", "bytes=-100"})
    void noRangeOfAnEmptyBlobIsSatisfiable(String header) {
        OciException e = catchThrowableOfType(() -> ByteRange.parse(header, 0), OciException.class);

        assertThat(e).as(header).isNotNull();
        assertThat(e.status()).isEqualTo(416);
        assertThat(e.headers()).containsEntry("Content-Range", "bytes */0");
    }

    @Test
    void anEmptyBlobWithoutRangeIsServedWhole() {
        assertThat(ByteRange.parse(null, 0)).isNull();
        assertThat(ByteRange.parse("bytes=abc", 0)).isNull();
    }

    @Test
    void lastByteOfALargeBlob() {
        long size = 5L << 30;

        ByteRange range = ByteRange.parse("bytes=-1", size);

        assertThat(range).isEqualTo(new ByteRange(size - 1, 1));
        assertThat(range.contentRange(size)).isEqualTo("bytes 5368709119-5368709119/5368709120");
    }
}
