package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * CHALLENGE: the first frame of a server that holds a secret, sent as soon as it accepts a connection. It carries
 * a fresh random nonce that the connecting side's proof must cover (so a recorded AUTH is worthless on any other
 * connection) and the server's node name (so a peer can see it reached the node it dialled before it answers).
 * <pre>
 *   8  uint8  algorithm: 1 HMAC-SHA256
 *   9  uint8  reserved, 0
 *  10  uint16 reserved, 0
 *  12  32 bytes: the server's nonce
 *  44  uint8  node name length, the server's node name
 * </pre>
 */
public final class ChallengeFrame extends FrameDecoder
{
    /** The one algorithm: HMAC-SHA256 over the handshake transcript. */
    public static final int ALGORITHM_HMAC_SHA256 = 1;

    private static final int ALGORITHM_OFFSET = 8;
    private static final int NONCE_OFFSET = 12;
    private static final int NODE_OFFSET = NONCE_OFFSET + AuthProof.NONCE_LENGTH;

    /**
     * @param node the server's node name.
     * @return the encoded length.
     */
    public static int length(final String node)
    {
        return NODE_OFFSET + 1 + node.length();
    }

    /**
     * Encode a CHALLENGE.
     *
     * @param buffer destination.
     * @param offset where the frame starts.
     * @param nonce  {@link AuthProof#NONCE_LENGTH} fresh random bytes.
     * @param node   the server's node name.
     * @return frame length.
     */
    public static int encode(final MutableDirectBuffer buffer, final int offset, final byte[] nonce, final String node)
    {
        final int length = length(node);
        FrameHeader.write(buffer, offset, length, FrameType.CHALLENGE, 0);
        buffer.putByte(offset + ALGORITHM_OFFSET, (byte)ALGORITHM_HMAC_SHA256);
        buffer.putByte(offset + ALGORITHM_OFFSET + 1, (byte)0);
        buffer.putShort(offset + ALGORITHM_OFFSET + 2, (short)0, LITTLE_ENDIAN);
        buffer.putBytes(offset + NONCE_OFFSET, nonce, 0, AuthProof.NONCE_LENGTH);
        buffer.putByte(offset + NODE_OFFSET, (byte)node.length());
        buffer.putStringWithoutLengthAscii(offset + NODE_OFFSET + 1, node);
        return length;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        if (length < NODE_OFFSET + 1)
        {
            return "CHALLENGE too short: " + length + " bytes, need at least " + (NODE_OFFSET + 1);
        }
        final int algorithm = buffer.getByte(offset + ALGORITHM_OFFSET) & 0xFF;
        if (algorithm != ALGORITHM_HMAC_SHA256)
        {
            return "CHALLENGE has unknown algorithm " + algorithm + " (1 HMAC-SHA256)";
        }
        final int nodeLength = shortStringLength(offset + NODE_OFFSET);
        if (nodeLength < 0 || NODE_OFFSET + 1 + nodeLength != length)
        {
            return "CHALLENGE node name length does not match the frame length";
        }
        return null;
    }

    /**
     * @return offset of the server's nonce.
     */
    public int nonceOffset()
    {
        return offset + NONCE_OFFSET;
    }

    /**
     * @return the server's node name (allocates; handshake path).
     */
    public String node()
    {
        return shortString(offset + NODE_OFFSET);
    }
}
