package io.msgc.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * DATA: one message to one or more destinations. The same layout travels client to server, server to peer and
 * server to client, so a node forwards the bytes it received: only the stamp is rewritten, in place.
 * <pre>
 *   8  int64  stamp: from a client, a correlation id the server echoes in any ERROR about this frame;
 *             from a server, the message's position in its origin stream
 *  16  int32  service ({@link ServiceType})
 *  20  int16  message type (application defined)
 *  22  uint8  destination count (1..100)
 *  23  uint8  sender length, then the sender member id: a client writes the member id WELCOME gave it
 *             (or leaves it empty for the server to fill in)
 *  ..  destination count x (uint8 length, name): groups or member ids {@code #private#node}
 *  ..  payload: the rest of the frame
 * </pre>
 * Decoding walks the destinations once and keeps their offsets, so routing reads them without allocation.
 */
public final class DataFrame extends FrameDecoder
{
    /** Most destinations in one message. */
    public static final int MAX_DESTINATIONS = 100;
    /** Offset of the stamp. */
    public static final int STAMP_OFFSET = FrameHeader.LENGTH;
    /** Offset of the service word. */
    public static final int SERVICE_OFFSET = 16;
    /** Offset of the message type. */
    public static final int MSG_TYPE_OFFSET = 20;
    /** Offset of the destination count. */
    public static final int COUNT_OFFSET = 22;
    /** Offset of the sender length byte. */
    public static final int SENDER_OFFSET = 23;

    private final int[] destinationOffsets = new int[MAX_DESTINATIONS];
    private final int[] destinationLengths = new int[MAX_DESTINATIONS];
    private int destinationCount;
    private int payloadOffset;

    /** {@inheritDoc} */
    protected String validate()
    {
        if (length < SENDER_OFFSET + 1)
        {
            return "DATA too short: " + length + " bytes";
        }
        final int service = service();
        if (!ServiceType.isValid(service))
        {
            return "DATA has bad service word 0x" + Integer.toHexString(service) + ": one of UNRELIABLE 0x01, " +
                "RELIABLE 0x02, FIFO 0x04, CAUSAL 0x08, AGREED 0x10, SAFE 0x20, optionally | SELF_DISCARD 0x40";
        }
        final int count = buffer.getByte(offset + COUNT_OFFSET) & 0xFF;
        if (count < 1 || count > MAX_DESTINATIONS)
        {
            return "DATA has " + count + " destinations; 1 to " + MAX_DESTINATIONS + " allowed";
        }
        final int senderLength = shortStringLength(offset + SENDER_OFFSET);
        if (senderLength < 0)
        {
            return "DATA sender runs past the frame end";
        }
        int at = offset + SENDER_OFFSET + 1 + senderLength;
        for (int i = 0; i < count; i++)
        {
            final int nameLength = shortStringLength(at);
            if (nameLength < 0)
            {
                return "DATA destination " + (i + 1) + " of " + count + " runs past the frame end";
            }
            if (!NameRules.isDestination(buffer, at + 1, nameLength))
            {
                return "DATA destination " + (i + 1) + " '" + buffer.getStringWithoutLengthAscii(at + 1, nameLength) +
                    "' is not a group name (1-127 printable ASCII, no leading '#') nor a member id '#private#node'";
            }
            destinationOffsets[i] = at + 1;
            destinationLengths[i] = nameLength;
            at += 1 + nameLength;
        }
        destinationCount = count;
        payloadOffset = at;
        return null;
    }

    /**
     * Wrap a DATA frame that {@link #wrap} accepted once already, on its arrival at this node: find its
     * destinations again without checking the names, which is most of the cost of {@link #wrap}. The layout is
     * still checked, so a frame that skipped validation by mistake cannot make a reader leave it.
     *
     * @param buffer holding the frame.
     * @param offset of the header.
     * @param length of the frame.
     * @return true when the layout holds; false when it does not (the frame was never validated).
     */
    public boolean wrapValidated(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        destinationCount = 0;
        if (length < SENDER_OFFSET + 1)
        {
            return false;
        }
        final int count = buffer.getByte(offset + COUNT_OFFSET) & 0xFF;
        final int end = offset + length;
        int at = offset + SENDER_OFFSET + 1 + (buffer.getByte(offset + SENDER_OFFSET) & 0xFF);
        if (count < 1 || count > MAX_DESTINATIONS || at > end)
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            if (at >= end)
            {
                destinationCount = 0;
                return false;
            }
            final int nameLength = buffer.getByte(at) & 0xFF;
            if (nameLength == 0 || at + 1 + nameLength > end)
            {
                destinationCount = 0;
                return false;
            }
            destinationOffsets[i] = at + 1;
            destinationLengths[i] = nameLength;
            at += 1 + nameLength;
        }
        destinationCount = count;
        payloadOffset = at;
        return true;
    }

    /**
     * Encode a DATA frame from parts; the payload is copied after the destinations.
     *
     * @param buffer        destination buffer.
     * @param offset        where the frame starts.
     * @param stamp         correlation id (client) or stream position (server).
     * @param service       service word.
     * @param msgType       message type.
     * @param sender        sender member id, or "" for the server to fill in.
     * @param destinations  group names or member ids.
     * @param destinationCount how many of {@code destinations} to use.
     * @param payload       payload source.
     * @param payloadOffset first payload byte.
     * @param payloadLength payload byte count.
     * @return frame length.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long stamp,
        final int service,
        final int msgType,
        final CharSequence sender,
        final CharSequence[] destinations,
        final int destinationCount,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        buffer.putLong(offset + STAMP_OFFSET, stamp, LITTLE_ENDIAN);
        int at = encodeHead(buffer, offset, service, msgType, sender, destinations, destinationCount);
        buffer.putBytes(at, payload, payloadOffset, payloadLength);
        at += payloadLength;
        FrameHeader.write(buffer, offset, at - offset, FrameType.DATA, 0);
        return at - offset;
    }

    /**
     * Encode everything up to the payload; {@link #encode} then adds the payload and the frame header.
     *
     * @param buffer           destination buffer.
     * @param offset           where the frame starts.
     * @param service          service word.
     * @param msgType          message type.
     * @param sender           sender member id or "".
     * @param destinations     group names or member ids.
     * @param destinationCount how many of {@code destinations} to use.
     * @return offset where the payload goes.
     */
    private static int encodeHead(
        final MutableDirectBuffer buffer,
        final int offset,
        final int service,
        final int msgType,
        final CharSequence sender,
        final CharSequence[] destinations,
        final int destinationCount)
    {
        buffer.putInt(offset + SERVICE_OFFSET, service, LITTLE_ENDIAN);
        buffer.putShort(offset + MSG_TYPE_OFFSET, (short)msgType, LITTLE_ENDIAN);
        buffer.putByte(offset + COUNT_OFFSET, (byte)destinationCount);
        int at = putShortString(buffer, offset + SENDER_OFFSET, sender);
        for (int i = 0; i < destinationCount; i++)
        {
            at = putShortString(buffer, at, destinations[i]);
        }
        return at;
    }

    private static int putShortString(final MutableDirectBuffer buffer, final int at, final CharSequence s)
    {
        final int len = s.length();
        buffer.putByte(at, (byte)len);
        if (s instanceof String)
        {
            // one bounds check for the whole name instead of one per byte: this runs for every message sent
            buffer.putStringWithoutLengthAscii(at + 1, (String)s);
        }
        else
        {
            for (int i = 0; i < len; i++)
            {
                buffer.putByte(at + 1 + i, (byte)s.charAt(i));
            }
        }
        return at + 1 + len;
    }

    /**
     * The length {@link #encode} will produce.
     *
     * @param senderLength     sender member id length (0 for the server to fill in).
     * @param destinations     group names or member ids.
     * @param destinationCount how many of {@code destinations} to use.
     * @param payloadLength    payload byte count.
     * @return frame length in bytes.
     */
    public static int length(
        final int senderLength,
        final CharSequence[] destinations,
        final int destinationCount,
        final int payloadLength)
    {
        int length = SENDER_OFFSET + 1 + senderLength + payloadLength;
        for (int i = 0; i < destinationCount; i++)
        {
            length += 1 + destinations[i].length();
        }
        return length;
    }

    /**
     * Rewrite the stamp of an encoded frame in place.
     *
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     * @param stamp  the new stamp.
     */
    public static void stamp(final MutableDirectBuffer buffer, final int offset, final long stamp)
    {
        buffer.putLong(offset + STAMP_OFFSET, stamp, LITTLE_ENDIAN);
    }

    /**
     * @param buffer holding a DATA frame.
     * @param offset where the frame starts.
     * @return its service word, without decoding the rest.
     */
    public static int service(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + SERVICE_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @param buffer holding a DATA frame.
     * @param offset where the frame starts.
     * @param node   a node name's bytes, e.g. {@code node2}.
     * @return true when the sender member id ends with {@code #node}: the sender is a member of that node.
     *         Computes the name's words on each call (a small allocation); a per-frame path keeps them
     *         ({@link #senderIsOn(DirectBuffer, int, byte[], long[])}).
     */
    public static boolean senderIsOn(final DirectBuffer buffer, final int offset, final byte[] node)
    {
        return senderIsOn(buffer, offset, node, NameRules.words(node));
    }

    /**
     * {@link #senderIsOn(DirectBuffer, int, byte[])} with the name's words computed once: every DATA frame a peer
     * sends is checked so.
     *
     * @param buffer holding a DATA frame.
     * @param offset where the frame starts.
     * @param node   a node name's bytes.
     * @param words  {@link NameRules#words} of {@code node}.
     * @return true when the sender member id ends with {@code #node}.
     */
    public static boolean senderIsOn(final DirectBuffer buffer, final int offset, final byte[] node, final long[] words)
    {
        final int length = buffer.getByte(offset + SENDER_OFFSET) & 0xFF;
        final int start = offset + SENDER_OFFSET + 1 + length - node.length;
        if (length < node.length + 3 || buffer.getByte(start - 1) != '#')
        {
            return false;
        }
        // eight bytes at a time; the last word is the eight bytes that end with the sender (the frame's header
        // precedes the sender, so they are in the frame)
        int i = 0;
        int w = 0;
        for (; i + 8 <= node.length; i += 8, w++)
        {
            if (buffer.getLong(start + i, LITTLE_ENDIAN) != words[w])
            {
                return false;
            }
        }
        final int rest = node.length - i;
        return rest == 0 || buffer.getLong(start + node.length - 8, LITTLE_ENDIAN) >>> ((8 - rest) << 3) == words[w];
    }

    /**
     * @return the stamp: a client's correlation id, or the origin server's stream position.
     */
    public long stamp()
    {
        return buffer.getLong(offset + STAMP_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return service word.
     */
    public int service()
    {
        return buffer.getInt(offset + SERVICE_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return message type.
     */
    public short msgType()
    {
        return buffer.getShort(offset + MSG_TYPE_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return offset of the sender bytes.
     */
    public int senderOffset()
    {
        return offset + SENDER_OFFSET + 1;
    }

    /**
     * @return sender length (0 in a frame from a client).
     */
    public int senderLength()
    {
        return buffer.getByte(offset + SENDER_OFFSET) & 0xFF;
    }

    /**
     * @return sender member id (allocates).
     */
    public String sender()
    {
        return shortString(offset + SENDER_OFFSET);
    }

    /**
     * @return number of destinations.
     */
    public int destinationCount()
    {
        return destinationCount;
    }

    /**
     * @param i destination index.
     * @return offset of its name bytes.
     */
    public int destinationOffset(final int i)
    {
        return destinationOffsets[i];
    }

    /**
     * @param i destination index.
     * @return length of its name.
     */
    public int destinationLength(final int i)
    {
        return destinationLengths[i];
    }

    /**
     * @param i destination index.
     * @return its name (allocates).
     */
    public String destination(final int i)
    {
        return buffer.getStringWithoutLengthAscii(destinationOffsets[i], destinationLengths[i]);
    }

    /**
     * @return offset of the first destination length byte (just after the sender).
     */
    public int destinationsStart()
    {
        return offset + SENDER_OFFSET + 1 + senderLength();
    }

    /**
     * @return offset of the payload.
     */
    public int payloadOffset()
    {
        return payloadOffset;
    }

    /**
     * @return payload length.
     */
    public int payloadLength()
    {
        return end() - payloadOffset;
    }
}
