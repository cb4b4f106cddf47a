package io.msgc.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NameRules#isDestination} checks 8 bytes at a time; it must say exactly what a byte-by-byte check says,
 * for every length and wherever the bad byte sits.
 */
class NameRulesTest
{
    /** The bytes at and around the edges of the printable range, and the member id separator. */
    private static final byte[] EDGES = {0x00, 0x20, 0x21, 0x22, '#', 'a', 0x7D, 0x7E, 0x7F, (byte)0x80, (byte)0xA1,
        (byte)0xFE, (byte)0xFF};

    @Test
    void examples()
    {
        assertTrue(isDestination("orders"));
        assertTrue(isDestination("a-group.name_with~all!printable"));
        assertTrue(isDestination("#alice#node1"));
        assertFalse(isDestination("#alice"));
        assertFalse(isDestination("bad name with spaces"));
        assertFalse(isDestination("0123456789abcdef\u007f"));
        assertFalse(isDestination(""));
        assertFalse(isDestination("x".repeat(NameRules.MAX_GROUP_LENGTH + 1)));
        assertTrue(isDestination("x".repeat(NameRules.MAX_GROUP_LENGTH)));
    }

    @Test
    void agreesWithAByteByByteCheckOnSeededRandomNames()
    {
        final SplittableRandom random = new SplittableRandom(0x6e616d65L);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        for (int run = 0; run < 200_000; run++)
        {
            final int length = 1 + random.nextInt(NameRules.MAX_GROUP_LENGTH);
            final int offset = random.nextInt(8); // unaligned starts too
            for (int i = 0; i < length; i++)
            {
                buffer.putByte(offset + i, (byte)('a' + random.nextInt(26)));
            }
            // a few bytes from the edges, anywhere
            for (int k = random.nextInt(3); k > 0; k--)
            {
                buffer.putByte(offset + random.nextInt(length), EDGES[random.nextInt(EDGES.length)]);
            }
            assertEquals(reference(buffer, offset, length), NameRules.isDestination(buffer, offset, length),
                () -> "offset " + offset + " length " + length);
        }
    }

    private static boolean isDestination(final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.ISO_8859_1);
        return NameRules.isDestination(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    private static boolean reference(final UnsafeBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            final byte b = buffer.getByte(offset + i);
            if (b < 0x21 || b > 0x7E)
            {
                return false;
            }
        }
        return buffer.getByte(offset) != '#' || NameRules.memberIdSplit(buffer, offset, length) > 0;
    }
}
