package dev.bellwether.ingest;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates a gzip body (RFC 1952) of one or more members, and nothing else: unlike {@code GZIPInputStream}, which
 * ignores whatever follows a member when it is not another member, bytes after the last member are an error.
 */
final class GzipBody {

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int RESERVED = 0xe0;

    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    static final class TooLarge extends Exception {
        TooLarge() {
            super(null, null, false, false);
        }
    }

    private GzipBody() {
    }

    static byte[] inflate(byte[] body, int limit) throws Malformed, TooLarge {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, body.length * 4));
        byte[] buffer = new byte[16 * 1024];
        Inflater inflater = new Inflater(true);
        try {
            int position = 0;
            do {
                position = afterHeader(body, position);
                inflater.reset();
                inflater.setInput(body, position, body.length - position);
                CRC32 crc = new CRC32();
                long size = 0;
                while (!inflater.finished()) {
                    int n = inflater.inflate(buffer);
                    if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        throw new Malformed("the gzip data ends before its member does");
                    }
                    if (out.size() + n > limit) {
                        throw new TooLarge();
                    }
                    crc.update(buffer, 0, n);
                    size += n;
                    out.write(buffer, 0, n);
                }
                position = body.length - inflater.getRemaining();
                if (body.length - position < 8) {
                    throw new Malformed("the gzip trailer is missing");
                }
                if (intLittleEndian(body, position) != (int) crc.getValue()
                        || intLittleEndian(body, position + 4) != (int) size) {
                    throw new Malformed("the gzip trailer does not match the data (CRC or size)");
                }
                position += 8;
            } while (position < body.length);
        } catch (DataFormatException e) {
            throw new Malformed("the deflate data is corrupt: " + e.getMessage());
        } finally {
            inflater.end();
        }
        return out.toByteArray();
    }

    /** The offset just after the member header at {@code start}. */
    private static int afterHeader(byte[] body, int start) throws Malformed {
        if (body.length - start < 10 || body[start] != (byte) 0x1f || body[start + 1] != (byte) 0x8b) {
            throw new Malformed(start == 0 ? "the body does not start with a gzip header"
                    : "bytes follow the gzip data at offset " + start + " that are not another gzip member");
        }
        int flags = body[start + 3] & 0xff;
        if (body[start + 2] != 8 || (flags & RESERVED) != 0) {
            throw new Malformed("the gzip header is not deflate or has reserved flags set");
        }
        int position = start + 10;
        if ((flags & FEXTRA) != 0) {
            position = require(body, position, 2);
            position += 2 + ((body[position] & 0xff) | (body[position + 1] & 0xff) << 8);
        }
        if ((flags & FNAME) != 0) {
            position = afterZero(body, position);
        }
        if ((flags & FCOMMENT) != 0) {
            position = afterZero(body, position);
        }
        if ((flags & FHCRC) != 0) {
            position += 2;
        }
        return require(body, position, 0);
    }

    private static int require(byte[] body, int position, int bytes) throws Malformed {
        if (position + bytes > body.length) {
            throw new Malformed("the gzip header is cut short");
        }
        return position;
    }

    private static int afterZero(byte[] body, int position) throws Malformed {
        for (int i = position; i < body.length; i++) {
            if (body[i] == 0) {
                return i + 1;
            }
        }
        throw new Malformed("the gzip header is cut short");
    }

    private static int intLittleEndian(byte[] bytes, int at) {
        return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16 | (bytes[at + 3] & 0xff) << 24;
    }
}
