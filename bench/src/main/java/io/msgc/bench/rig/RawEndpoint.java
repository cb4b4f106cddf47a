package io.msgc.bench.rig;

import io.msgc.wire.DataFrame;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.ServiceType;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The relay baseline's client: the same msgc DATA frames on a plain non-blocking socket, no handshake, no
 * library. Sends are encoded into an output buffer and written on the next {@link #poll}, as the msgc client's
 * queue is.
 */
final class RawEndpoint implements Endpoint
{
    private static final int BUFFER_BYTES = 8 * 1024 * 1024;

    private final SocketChannel channel;
    private final String[] destination;
    private final int frameOverhead;
    private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final UnsafeBuffer outView = new UnsafeBuffer(out);
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final UnsafeBuffer inView = new UnsafeBuffer(in);
    private final DataFrame frame = new DataFrame();
    private String failure;

    /**
     * @param channel     connected channel, switched to non-blocking here.
     * @param destination group name written into each frame (the relay ignores it; the bytes match msgc's).
     * @throws IOException when the channel cannot be configured.
     */
    RawEndpoint(final SocketChannel channel, final String destination) throws IOException
    {
        channel.configureBlocking(false);
        this.channel = channel;
        this.destination = new String[]{destination};
        frameOverhead = DataFrame.SENDER_OFFSET + 1 + 1 + destination.length();
    }

    @Override
    public boolean send(final DirectBuffer payload, final int offset, final int length)
    {
        final int at = out.position();
        if (BUFFER_BYTES - at < frameOverhead + length)
        {
            return false;
        }
        out.position(at + DataFrame.encode(outView, at, 0L, ServiceType.FIFO, 0, "", destination, 1,
            payload, offset, length));
        return true;
    }

    @Override
    public int poll(final PayloadHandler handler)
    {
        try
        {
            int work = 0;
            if (out.position() > 0)
            {
                out.flip();
                work += channel.write(out);
                out.compact();
            }
            final int read = channel.read(in);
            if (read < 0)
            {
                failure = "relay closed the connection";
                return work;
            }
            if (read > 0)
            {
                work += deliver(handler);
            }
            return work;
        }
        catch (final IOException ex)
        {
            failure = ex.toString();
            return 0;
        }
    }

    private int deliver(final PayloadHandler handler)
    {
        final int end = in.position();
        int at = 0;
        int frames = 0;
        while (end - at >= FrameHeader.LENGTH)
        {
            final int length = FrameHeader.frameLength(inView, at);
            if (end - at < length)
            {
                break;
            }
            final String error = frame.wrap(inView, at, length);
            if (error != null)
            {
                failure = "bad frame from the relay: " + error;
                return frames;
            }
            handler.onPayload(inView, frame.payloadOffset(), frame.payloadLength());
            at += length;
            frames++;
        }
        in.limit(end).position(at);
        in.compact();
        return frames;
    }

    @Override
    public String failure()
    {
        return failure;
    }

    @Override
    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing at the end of a run: nothing left to lose
        }
    }
}
