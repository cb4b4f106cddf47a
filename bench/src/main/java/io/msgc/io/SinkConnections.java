package io.msgc.io;

import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SocketChannel;

/**
 * Real {@link Connection}s for in-process benchmarks that never touch the network: each is adopted by a
 * {@link Poller} on an open but unconnected socket channel, and {@link #drain} plays the part of a socket
 * that took every pending byte. The code under test therefore runs the production {@code offer} path
 * (write-limit check, copy into the write buffer, dirty marking) with no system call per operation.
 * <p>
 * Why reflection: {@code Connection} has no way to drop pending bytes short of a socket write, and this keeps
 * src/main free of a test seam. The two write-buffer indexes are reached through {@link VarHandle}s, found once;
 * a rename in {@code Connection} fails loudly at class initialisation, never silently.
 */
public final class SinkConnections
{
    private static final VarHandle WRITE_POSITION;
    private static final VarHandle WRITE_END;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Connection.class, MethodHandles.lookup());
            WRITE_POSITION = lookup.findVarHandle(Connection.class, "writePosition", int.class);
            WRITE_END = lookup.findVarHandle(Connection.class, "writeEnd", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private SinkConnections()
    {
    }

    /**
     * Open a connection that is never connected: frames queued on it stay in its write buffer until drained.
     *
     * @param poller     owner; it must not be polled with pending bytes (a write would fail: not connected).
     * @param writeLimit most bytes pending, as for a real connection of that role.
     * @return the connection.
     * @throws IOException when a socket channel cannot be opened.
     */
    public static Connection open(final Poller poller, final int writeLimit) throws IOException
    {
        return poller.adopt(SocketChannel.open(), NO_FRAMES, 1 << 20, writeLimit, 0);
    }

    /**
     * Forget every pending byte of the poller's dirty connections, as if the end-of-turn flush wrote them all,
     * then run the poller's real flush pass (which now finds nothing to write and only clears dirty marks).
     *
     * @param poller      owner of the connections.
     * @param connections every connection the operation may have written to.
     * @param count       how many of {@code connections} to drain.
     */
    public static void drain(final Poller poller, final Connection[] connections, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final Connection connection = connections[i];
            WRITE_POSITION.set(connection, 0);
            WRITE_END.set(connection, 0);
        }
        poller.flushDirty();
    }

    /** Nothing is ever read from these connections. */
    private static final FrameHandler NO_FRAMES = new FrameHandler()
    {
        public void onFrame(final Connection connection, final MutableDirectBuffer buffer, final int offset, final int length)
        {
        }

        public void onFramingError(final Connection connection, final int errorCode, final String reason)
        {
        }

        public void onConnected(final Connection connection)
        {
        }

        public void onClosed(final Connection connection, final String reason)
        {
        }
    };
}
