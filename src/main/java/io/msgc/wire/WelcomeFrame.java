package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * WELCOME: the positive answer to HELLO.
 * <pre>
 *   8  int64  incarnation of the answering server
 *  16  uint16 index of the answering node in the peers list
 *  18  uint16 proof: 0 none, 1 HMAC-SHA256 (the server's proof of the secret ends the frame)
 *  20  int32  max_frame_size: the largest frame either side may send on this connection
 *  24  uint8  node name length, node name
 *  ..  uint8  member id length, member id (clients: {@code #private#node}; peers/admin: empty)
 *  ..  32 bytes: the server's proof, with proof 1 only (see {@link AuthProof})
 * </pre>
 */
public final class WelcomeFrame extends FrameDecoder
{
    private static final int INCARNATION_OFFSET = 8;
    private static final int NODE_INDEX_OFFSET = 16;
    private static final int PROOF_FLAG_OFFSET = 18;
    private static final int MAX_FRAME_OFFSET = 20;
    private static final int NODE_OFFSET = 24;
    /** The smallest max_frame_size a server may announce. */
    public static final int MIN_MAX_FRAME_SIZE = 1024;

    /**
     * Encode a WELCOME.
     *
     * @param buffer      destination.
     * @param offset      where the frame starts.
     * @param incarnation of the server.
     * @param nodeIndex   of the server in the peers list.
     * @param maxFrameSize the largest frame either side may send.
     * @param node        server node name.
     * @param memberId    member id given to a client, or "".
     * @return frame length.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long incarnation,
        final int nodeIndex,
        final int maxFrameSize,
        final String node,
        final String memberId)
    {
        final int memberAt = NODE_OFFSET + 1 + node.length();
        final int length = memberAt + 1 + memberId.length();
        FrameHeader.write(buffer, offset, length, FrameType.WELCOME, 0);
        buffer.putLong(offset + INCARNATION_OFFSET, incarnation, LITTLE_ENDIAN);
        buffer.putShort(offset + NODE_INDEX_OFFSET, (short)nodeIndex, LITTLE_ENDIAN);
        buffer.putShort(offset + NODE_INDEX_OFFSET + 2, (short)0, LITTLE_ENDIAN);
        buffer.putInt(offset + MAX_FRAME_OFFSET, maxFrameSize, LITTLE_ENDIAN);
        buffer.putByte(offset + NODE_OFFSET, (byte)node.length());
        buffer.putStringWithoutLengthAscii(offset + NODE_OFFSET + 1, node);
        buffer.putByte(offset + memberAt, (byte)memberId.length());
        buffer.putStringWithoutLengthAscii(offset + memberAt + 1, memberId);
        return length;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        final int nodeLength = shortStringLength(offset + NODE_OFFSET);
        if (length < NODE_OFFSET + 2 || nodeLength < 0)
        {
            return "WELCOME too short";
        }
        final int proof = buffer.getShort(offset + PROOF_FLAG_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        if (proof > 1)
        {
            return "WELCOME has unknown proof " + proof + " (0 none, 1 HMAC-SHA256)";
        }
        final int memberLength = shortStringLength(memberAt());
        final int proofLength = proof == 0 ? 0 : AuthProof.PROOF_LENGTH;
        if (memberLength < 0 || memberAt() + 1 + memberLength + proofLength != end())
        {
            return "WELCOME member id length does not match the frame length";
        }
        if (maxFrameSize() < MIN_MAX_FRAME_SIZE)
        {
            return "WELCOME max_frame_size " + maxFrameSize() + " is below " + MIN_MAX_FRAME_SIZE;
        }
        return null;
    }

    /**
     * Make room for the server's proof at the end of an encoded WELCOME: set the proof field and the frame length.
     * The caller computes the proof over the first {@code newLength - PROOF_LENGTH} bytes (which now carry the final
     * length and the flag) and writes it at {@code offset + newLength - PROOF_LENGTH}.
     *
     * @param buffer holding the WELCOME.
     * @param offset where the frame starts.
     * @param length its length without a proof.
     * @return the new frame length.
     */
    public static int addProofSpace(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final int newLength = length + AuthProof.PROOF_LENGTH;
        buffer.putShort(offset + PROOF_FLAG_OFFSET, (short)1, LITTLE_ENDIAN);
        buffer.putInt(offset + FrameHeader.LENGTH_OFFSET, newLength, LITTLE_ENDIAN);
        return newLength;
    }

    /**
     * @return true when the frame ends with the server's proof.
     */
    public boolean hasProof()
    {
        return (buffer.getShort(offset + PROOF_FLAG_OFFSET, LITTLE_ENDIAN) & 0xFFFF) == 1;
    }

    /**
     * @return offset of the server's proof; valid when {@link #hasProof()}.
     */
    public int proofOffset()
    {
        return end() - AuthProof.PROOF_LENGTH;
    }

    private int memberAt()
    {
        return offset + NODE_OFFSET + 1 + (buffer.getByte(offset + NODE_OFFSET) & 0xFF);
    }

    /**
     * @return server incarnation.
     */
    public long incarnation()
    {
        return buffer.getLong(offset + INCARNATION_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return server node index.
     */
    public int nodeIndex()
    {
        return buffer.getShort(offset + NODE_INDEX_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @return the largest frame either side may send on this connection.
     */
    public int maxFrameSize()
    {
        return buffer.getInt(offset + MAX_FRAME_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return server node name.
     */
    public String node()
    {
        return shortString(offset + NODE_OFFSET);
    }

    /**
     * @return member id, empty for peers.
     */
    public String memberId()
    {
        return shortString(memberAt());
    }
}
