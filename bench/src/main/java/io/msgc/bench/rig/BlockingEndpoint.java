package io.msgc.bench.rig;

import io.msgc.wire.DataFrame;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.ServiceType;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * A baseline client on a blocking socket: each send writes one DATA frame with one blocking {@code write}
 * (the calling thread waits while the socket buffer is full), and a thread of its own sleeps in {@code read},
 * parses the frames and hands over their payloads. What a plain Java client of a relay looks like: no library,
 * no queue, no selector.
 */
final class BlockingEndpoint implements Endpoint
{
    private static final int READ_BYTES = 4 * 1024 * 1024;

    private final SocketChannel channel;
    private final String[] destination;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] sendBytes = new byte[64 * 1024 + 256];
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(sendBytes);
    private final DataFrame frame = new DataFrame();
    private Thread reader;
    private volatile boolean closed;
    private volatile String failure;

    /**
     * @param channel     connected channel, switched to blocking mode here.
     * @param destination group name written into each frame (the relay ignores it; the bytes match msgc's).
     * @throws IOException when the channel cannot be configured.
     */
    BlockingEndpoint(final SocketChannel channel, final String destination) throws IOException
    {
        channel.configureBlocking(true);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        this.channel = channel;
        this.destination = new String[]{destination};
        in = channel.socket().getInputStream();
        out = channel.socket().getOutputStream();
    }

    @Override
    public boolean send(final DirectBuffer payload, final int offset, final int length)
    {
        final int frameLength = DataFrame.encode(sendBuffer, 0, 0L, ServiceType.FIFO, 0, "", destination, 1, payload,
            offset, length);
        try
        {
            out.write(sendBytes, 0, frameLength);
            return true;
        }
        catch (final IOException ex)
        {
            if (!closed && failure == null)
            {
                failure = "write: " + ex;
            }
            return false;
        }
    }

    @Override
    public int poll(final PayloadHandler handler)
    {
        return 0;
    }

    @Override
    public boolean threaded()
    {
        return true;
    }

    @Override
    public void start(final PayloadHandler handler)
    {
        reader = new Thread(() -> read(handler), "msgc-bench-blocking-client");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(final PayloadHandler handler)
    {
        final byte[] bytes = new byte[READ_BYTES];
        final UnsafeBuffer view = new UnsafeBuffer(bytes);
        int end = 0;
        try
        {
            while (true)
            {
                final int read = in.read(bytes, end, bytes.length - end);
                if (read < 0)
                {
                    if (!closed)
                    {
                        failure = "the relay closed the connection";
                    }
                    return;
                }
                end += read;
                int at = 0;
                while (end - at >= FrameHeader.LENGTH)
                {
                    final int length = FrameHeader.frameLength(view, at);
                    if (end - at < length)
                    {
                        break;
                    }
                    final String error = frame.wrap(view, at, length);
                    if (error != null)
                    {
                        failure = "bad frame from the relay: " + error;
                        return;
                    }
                    handler.onPayload(view, frame.payloadOffset(), frame.payloadLength());
                    at += length;
                }
                System.arraycopy(bytes, at, bytes, 0, end - at);
                end -= at;
            }
        }
        catch (final IOException ex)
        {
            if (!closed)
            {
                failure = "read: " + ex;
            }
        }
    }

    @Override
    public String failure()
    {
        return failure;
    }

    @Override
    public void close()
    {
        closed = true;
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing at the end of a run
        }
        if (reader != null)
        {
            try
            {
                reader.join(1000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
