package dev.bellwether.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class GzipBodyTest {

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static String inflate(byte[] body, int limit) throws Exception {
        return new String(GzipBody.inflate(body, limit), StandardCharsets.UTF_8);
    }

    @Test
    void oneMemberInflates() throws Exception {
        assertThat(inflate(gzip("{\"schema\": 1}"), 1000)).isEqualTo("{\"schema\": 1}");
    }

    @Test
    void concatenatedMembersInflateToTheirConcatenation() throws Exception {
        assertThat(inflate(concat(gzip("{\"schema\""), gzip(": 1}")), 1000)).isEqualTo("{\"schema\": 1}");
    }

    @Test
    void bytesAfterTheLastMemberAreRefused() throws Exception {
        assertThatThrownBy(() -> inflate(concat(gzip("{}"), "garbage".getBytes(StandardCharsets.US_ASCII)), 1000))
                .isInstanceOf(GzipBody.Malformed.class).hasMessageContaining("not another gzip member");
        assertThatThrownBy(() -> inflate(concat(gzip("{}"), new byte[] {0}), 1000)).isInstanceOf(GzipBody.Malformed.class);
    }

    @Test
    void aTruncatedOrCorruptMemberIsRefused() throws Exception {
        byte[] whole = gzip("{\"schema\": 1, \"app\": \"field-notes\"}");
        assertThatThrownBy(() -> inflate(Arrays.copyOf(whole, whole.length - 4), 1000)).isInstanceOf(GzipBody.Malformed.class);
        assertThatThrownBy(() -> inflate(Arrays.copyOf(whole, 12), 1000)).isInstanceOf(GzipBody.Malformed.class);
        byte[] wrongCrc = whole.clone();
        wrongCrc[wrongCrc.length - 8] ^= 1;
        assertThatThrownBy(() -> inflate(wrongCrc, 1000)).isInstanceOf(GzipBody.Malformed.class).hasMessageContaining("CRC");
        assertThatThrownBy(() -> inflate("{}".getBytes(StandardCharsets.US_ASCII), 1000)).isInstanceOf(GzipBody.Malformed.class);
    }

    @Test
    void inflatingBeyondTheLimitStops() throws Exception {
        assertThatThrownBy(() -> inflate(gzip(" ".repeat(5000)), 4096)).isInstanceOf(GzipBody.TooLarge.class);
        assertThat(inflate(gzip(" ".repeat(4096)), 4096)).hasSize(4096);
    }
}
