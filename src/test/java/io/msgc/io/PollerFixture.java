package io.msgc.io;

import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A {@link Poller} listening on loopback whose accepted connections go to one test {@link FrameHandler}, and
 * blocking sockets for the remote side. Test frames are 16 bytes: header, then a sequence number.
 */
final class PollerFixture implements AutoCloseable
{
    /** Length of a test frame. */
    static final int FRAME = 16;

    final Poller poller;
    final List<Connection> accepted = new ArrayList<>();
    private final ServerSocketChannel listener;
    private final List<Socket> sockets = new ArrayList<>();

    PollerFixture(final Poller poller, final FrameHandler handler) throws IOException
    {
        this.poller = poller;
        listener = poller.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), channel ->
        {
            try
            {
                accepted.add(poller.adopt(channel, handler, 1 << 20, 1 << 20, 0));
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
    }

    /**
     * Connect a blocking socket and poll until the poller adopted its other end.
     *
     * @return the remote side's socket.
     */
    Socket connect() throws IOException
    {
        final int before = accepted.size();
        final Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(5000);
        socket.connect(listener.getLocalAddress(), 2000);
        sockets.add(socket);
        pollUntil("accept", () -> accepted.size() > before);
        return socket;
    }

    /**
     * Poll (without blocking) until the condition holds, at most 5 s.
     */
    void pollUntil(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            poller.poll(1);
        }
    }

    /**
     * @return frames with sequence numbers {@code from..to}, back to back.
     */
    static byte[] frames(final long from, final long to)
    {
        final int count = (int)(to - from + 1);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[count * FRAME]);
        for (int i = 0; i < count; i++)
        {
            encode(buffer, i * FRAME, from + i);
        }
        return buffer.byteArray();
    }

    static int encode(final UnsafeBuffer buffer, final int offset, final long sequence)
    {
        FrameHeader.write(buffer, offset, FRAME, FrameType.HEARTBEAT, 0);
        buffer.putLong(offset + FrameHeader.LENGTH, sequence);
        return FRAME;
    }

    static long sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + FrameHeader.LENGTH);
    }

    /**
     * Read one whole frame from a socket.
     *
     * @return the frame bytes.
     */
    static UnsafeBuffer readFrame(final Socket socket) throws IOException
    {
        final DataInputStream in = new DataInputStream(socket.getInputStream());
        final byte[] header = new byte[FrameHeader.LENGTH];
        in.readFully(header);
        final int length = FrameHeader.frameLength(new UnsafeBuffer(header), 0);
        if (length < FrameHeader.LENGTH || length > 1 << 20)
        {
            throw new AssertionError("garbage on the stream: frame length " + length);
        }
        final byte[] frame = new byte[length];
        System.arraycopy(header, 0, frame, 0, header.length);
        in.readFully(frame, header.length, length - header.length);
        return new UnsafeBuffer(frame);
    }

    /** {@inheritDoc} */
    public void close() throws IOException
    {
        for (final Socket socket : sockets)
        {
            socket.close();
        }
        poller.close();
        listener.close();
    }

    /**
     * A handler that ignores everything: tests override what they need.
     */
    static class Handler implements FrameHandler
    {
        /** {@inheritDoc} */
        public void onFrame(
            final Connection connection, final MutableDirectBuffer buffer, final int offset, final int length)
        {
        }

        /** {@inheritDoc} */
        public void onFramingError(final Connection connection, final int errorCode, final String reason)
        {
        }

        /** {@inheritDoc} */
        public void onConnected(final Connection connection)
        {
        }

        /** {@inheritDoc} */
        public void onClosed(final Connection connection, final String reason)
        {
        }
    }
}
