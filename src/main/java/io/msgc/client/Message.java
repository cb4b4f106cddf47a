package io.msgc.client;

import io.msgc.wire.DataFrame;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A received data message: a flyweight over the frame in the client's read buffer. Accessors that return
 * Strings allocate; the buffer/offset accessors do not.
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
        return frame.destination(i);
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
}
