package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * WELCOME: the positive answer to HELLO.
 * <pre>
 *   8  int64  incarnation of the answering server
 *  16  uint16 index of the answering node in the peers list
 *  18  uint16 reserved, 0
 *  20  int32  max_frame_size: the largest frame either side may send on this connection
 *  24  uint8  node name length, node name
 *  ..  uint8  member id length, member id (clients: {@code #private#node}; peers/admin: empty)
 * </pre>
 */
public final class WelcomeFrame extends FrameDecoder
{
    private static final int INCARNATION_OFFSET = 8;
    private static final int NODE_INDEX_OFFSET = 16;
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
        final int memberLength = shortStringLength(memberAt());
        if (memberLength < 0 || memberAt() + 1 + memberLength != end())
        {
            return "WELCOME member id length does not match the frame length";
        }
        if (maxFrameSize() < MIN_MAX_FRAME_SIZE)
        {
            return "WELCOME max_frame_size " + maxFrameSize() + " is below " + MIN_MAX_FRAME_SIZE;
        }
        return null;
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
