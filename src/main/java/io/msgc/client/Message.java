package io.msgc.client;

import io.msgc.wire.DataFrame;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A received data message: a flyweight over the frame in the client's read buffer, valid only during the
 * handler call.
 * <p>
 * Accessors that return Strings ({@link #sender()}, {@link #group(int)}) allocate. The others do not: the sender
 * and each destination are ASCII bytes at {@link #senderOffset()} / {@link #groupOffset(int)} in
 * {@link #buffer()}; {@link #senderEquals} and {@link #groupEquals} compare them with a name the application
 * holds, and {@link #appendSender} / {@link #appendGroup} copy them into a reusable {@link StringBuilder}.
 */
public final class Message
{
    private final DataFrame frame;
    private final UnsafeBuffer payload = new UnsafeBuffer(0, 0);

    Message(final DataFrame frame)
    {
        this.frame = frame;
    }

    void wrapPayload()
    {
        payload.wrap(frame.buffer(), frame.payloadOffset(), frame.payloadLength());
    }

    /**
     * @return service word ({@link io.msgc.wire.ServiceType}).
     */
    public int service()
    {
        return frame.service();
    }

    /**
     * @return application message type.
     */
    public short msgType()
    {
        return frame.msgType();
    }

    /**
     * @return sender member id {@code #private#node} (allocates).
     */
    public String sender()
    {
        return frame.sender();
    }

    /**
     * @return offset in {@link #buffer()} of the sender member id's ASCII bytes (no allocation).
     */
    public int senderOffset()
    {
        return frame.senderOffset();
    }

    /**
     * @return length in bytes of the sender member id.
     */
    public int senderLength()
    {
        return frame.senderLength();
    }

    /**
     * @param memberId a member id {@code #private#node}.
     * @return true when the message is from that member (no allocation).
     */
    public boolean senderEquals(final CharSequence memberId)
    {
        return asciiEquals(frame.senderOffset(), frame.senderLength(), memberId);
    }

    /**
     * Append the sender member id to a reusable builder (no allocation once it has room).
     *
     * @param sb the builder.
     * @return {@code sb}.
     */
    public StringBuilder appendSender(final StringBuilder sb)
    {
        return appendAscii(frame.senderOffset(), frame.senderLength(), sb);
    }

    /**
     * @return number of destination groups.
     */
    public int groupCount()
    {
        return frame.destinationCount();
    }

    /**
     * @param i index below {@link #groupCount()}.
     * @return that destination's name (allocates).
     */
    public String group(final int i)
    {
        return frame.destination(checkGroup(i));
    }

    /**
     * @param i index below {@link #groupCount()}.
     * @return offset in {@link #buffer()} of that destination's ASCII bytes (no allocation).
     */
    public int groupOffset(final int i)
    {
        return frame.destinationOffset(checkGroup(i));
    }

    /**
     * @param i index below {@link #groupCount()}.
     * @return length in bytes of that destination's name.
     */
    public int groupLength(final int i)
    {
        return frame.destinationLength(checkGroup(i));
    }

    /**
     * @param i    index below {@link #groupCount()}.
     * @param name a group name or member id.
     * @return true when destination {@code i} is {@code name} (no allocation).
     */
    public boolean groupEquals(final int i, final CharSequence name)
    {
        return asciiEquals(frame.destinationOffset(checkGroup(i)), frame.destinationLength(i), name);
    }

    /**
     * Append destination {@code i} to a reusable builder (no allocation once it has room).
     *
     * @param i  index below {@link #groupCount()}.
     * @param sb the builder.
     * @return {@code sb}.
     */
    public StringBuilder appendGroup(final int i, final StringBuilder sb)
    {
        return appendAscii(frame.destinationOffset(checkGroup(i)), frame.destinationLength(i), sb);
    }

    /**
     * @return the payload as a buffer slice (zero copy, reused: valid during the callback).
     */
    public DirectBuffer payload()
    {
        return payload;
    }

    /**
     * @return payload length.
     */
    public int payloadLength()
    {
        return frame.payloadLength();
    }

    /**
     * @return the underlying buffer, for zero-copy access with {@link #payloadOffset()}.
     */
    public DirectBuffer buffer()
    {
        return frame.buffer();
    }

    /**
     * @return offset of the payload in {@link #buffer()}.
     */
    public int payloadOffset()
    {
        return frame.payloadOffset();
    }

    private int checkGroup(final int i)
    {
        if (i < 0 || i >= frame.destinationCount())
        {
            throw new IndexOutOfBoundsException("group " + i + " of " + frame.destinationCount());
        }
        return i;
    }

    private boolean asciiEquals(final int offset, final int length, final CharSequence name)
    {
        if (name.length() != length)
        {
            return false;
        }
        final DirectBuffer buffer = frame.buffer();
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != name.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    private StringBuilder appendAscii(final int offset, final int length, final StringBuilder sb)
    {
        final DirectBuffer buffer = frame.buffer();
        for (int i = 0; i < length; i++)
        {
            sb.append((char)buffer.getByte(offset + i));
        }
        return sb;
    }
}
