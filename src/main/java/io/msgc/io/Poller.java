package io.msgc.io;

import org.agrona.collections.ArrayUtil;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * The event loop's I/O half: one {@link Selector} for listeners and connections, non-blocking accept,
 * connect, read and write. After each poll every connection that queued bytes during the turn is flushed once,
 * so frames bound for one socket leave in as few {@code write} calls as possible.
 * Ready keys are taken with {@link Selector#selectNow(Consumer)}, which allocates no iterator.
 */
public final class Poller implements AutoCloseable
{
    /**
     * Accepts connections on one listening socket.
     */
    public interface AcceptHandler
    {
        /**
         * @param channel the accepted, non-blocking channel (not registered yet).
         */
        void onAccept(SocketChannel channel);
    }

    private final Selector selector;
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final Consumer<SelectionKey> ignoreReady = key -> {};
    private final Long2ObjectHashMap<Connection> connections = new Long2ObjectHashMap<>();
    private Connection[] dirty = new Connection[64];
    private int dirtyCount;
    private long nextId = 1;
    private long nowMs;
    private int workCount;

    /**
     * @throws IOException when the selector cannot be opened.
     */
    public Poller() throws IOException
    {
        selector = Selector.open();
        nowMs = System.currentTimeMillis();
    }

    Selector selector()
    {
        return selector;
    }

    /**
     * @return the loop's clock in epoch ms, refreshed at each poll.
     */
    public long nowMs()
    {
        return nowMs;
    }

    /**
     * Open a listening socket.
     *
     * @param address  where to bind.
     * @param handler  called per accepted connection.
     * @return the channel.
     * @throws IOException when binding fails.
     */
    public ServerSocketChannel listen(final InetSocketAddress address, final AcceptHandler handler) throws IOException
    {
        final ServerSocketChannel server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(address, 1024);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT, handler);
        return server;
    }

    /**
     * Take ownership of an accepted channel.
     *
     * @param channel        accepted channel.
     * @param handler        frame handler.
     * @param maxFrameLength largest frame accepted.
     * @param writeLimit     most bytes pending to write.
     * @param socketBuffer   SO_SNDBUF/SO_RCVBUF, 0 to leave the OS default.
     * @return the connection.
     * @throws IOException on socket errors.
     */
    public Connection adopt(
        final SocketChannel channel,
        final FrameHandler handler,
        final int maxFrameLength,
        final int writeLimit,
        final int socketBuffer) throws IOException
    {
        configure(channel, socketBuffer);
        final Connection connection =
            new Connection(this, nextId++, channel, handler, maxFrameLength, writeLimit, false);
        connections.put(connection.id(), connection);
        return connection;
    }

    /**
     * Start a non-blocking connect; {@link FrameHandler#onConnected} or {@link FrameHandler#onClosed} follows.
     *
     * @param remote         where to connect.
     * @param local          local address to bind, or null.
     * @param handler        frame handler.
     * @param maxFrameLength largest frame accepted.
     * @param writeLimit     most bytes pending to write.
     * @param socketBuffer   SO_SNDBUF/SO_RCVBUF, 0 to leave the OS default.
     * @return the connection (connecting).
     * @throws IOException when the socket cannot be opened.
     */
    public Connection dial(
        final InetSocketAddress remote,
        final InetSocketAddress local,
        final FrameHandler handler,
        final int maxFrameLength,
        final int writeLimit,
        final int socketBuffer) throws IOException
    {
        final SocketChannel channel = SocketChannel.open();
        try
        {
            configure(channel, socketBuffer);
            if (local != null)
            {
                channel.bind(local);
            }
            final boolean connected = channel.connect(remote);
            final Connection connection =
                new Connection(this, nextId++, channel, handler, maxFrameLength, writeLimit, true);
            connections.put(connection.id(), connection);
            if (connected)
            {
                connection.finishConnect();
            }
            return connection;
        }
        catch (final IOException ex)
        {
            channel.close();
            throw ex;
        }
    }

    private static void configure(final SocketChannel channel, final int socketBuffer) throws IOException
    {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (socketBuffer > 0)
        {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, socketBuffer);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, socketBuffer);
        }
    }

    /**
     * One loop turn of I/O: select (without blocking when {@code timeoutMs} is 0), handle ready keys,
     * then flush every connection written to.
     *
     * @param timeoutMs 0 for selectNow, else the longest wait.
     * @return work done (ready keys + flushes).
     */
    public int poll(final long timeoutMs)
    {
        workCount = 0;
        nowMs = System.currentTimeMillis();
        try
        {
            if (timeoutMs <= 0)
            {
                selector.selectNow(onReady);
            }
            else
            {
                selector.select(onReady, timeoutMs);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("selector failed", ex);
        }
        nowMs = System.currentTimeMillis();
        return workCount + flushDirty();
    }

    /**
     * One loop turn for a poller whose only work is one established connection (a client): read, then write,
     * without the selector. A non-blocking read that finds nothing costs one system call, where a select
     * followed by a read costs two when data is there; a partial write is retried on the next turn instead of
     * waiting for OP_WRITE.
     *
     * @param connection the established connection.
     * @return work done (frames read + flushes).
     */
    public int pollSingle(final Connection connection)
    {
        nowMs = System.currentTimeMillis();
        final int work = connection.read() + flushDirty();
        if (connection.pendingBytes() > 0)
        {
            connection.flush();
        }
        return work;
    }

    /**
     * Wait up to {@code timeoutMs} for any registered channel to become ready, without handling it: the caller
     * then reads and writes as after a non-blocking pass (a client reading its one socket with
     * {@link #pollSingle}). Returns early on {@link #wakeup()}. Does not refresh {@link #nowMs()}.
     *
     * @param timeoutMs longest wait, &gt; 0.
     * @return channels ready.
     */
    public int await(final long timeoutMs)
    {
        try
        {
            return selector.select(ignoreReady, timeoutMs);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("selector failed", ex);
        }
    }

    /**
     * Make a select in progress (or the next one) return at once. Any thread may call it.
     */
    public void wakeup()
    {
        selector.wakeup();
    }

    /**
     * Flush every connection that queued bytes since the last flush.
     *
     * @return connections flushed.
     */
    public int flushDirty()
    {
        final int count = dirtyCount;
        for (int i = 0; i < dirtyCount; i++)
        {
            final Connection connection = dirty[i];
            dirty[i] = null;
            connection.flush();
        }
        dirtyCount = 0;
        return count;
    }

    private void onReady(final SelectionKey key)
    {
        workCount++;
        final Object attachment = key.attachment();
        if (attachment instanceof Connection)
        {
            final Connection connection = (Connection)attachment;
            if (!key.isValid())
            {
                return;
            }
            final int ready = key.readyOps();
            if ((ready & SelectionKey.OP_CONNECT) != 0)
            {
                connection.finishConnect();
                return;
            }
            if ((ready & SelectionKey.OP_WRITE) != 0)
            {
                connection.flush();
            }
            if ((ready & SelectionKey.OP_READ) != 0 && key.isValid())
            {
                connection.read();
            }
        }
        else if (attachment instanceof AcceptHandler)
        {
            acceptAll((ServerSocketChannel)key.channel(), (AcceptHandler)attachment);
        }
    }

    private static void acceptAll(final ServerSocketChannel server, final AcceptHandler handler)
    {
        for (int i = 0; i < 64; i++)
        {
            final SocketChannel channel;
            try
            {
                channel = server.accept();
            }
            catch (final IOException ex)
            {
                return;
            }
            if (channel == null)
            {
                return;
            }
            handler.onAccept(channel);
        }
    }

    void markDirty(final Connection connection)
    {
        if (dirtyCount == dirty.length)
        {
            dirty = ArrayUtil.ensureCapacity(dirty, dirtyCount << 1);
        }
        dirty[dirtyCount++] = connection;
    }

    void onClosed(final Connection connection)
    {
        connections.remove(connection.id());
    }

    /**
     * @return open connections.
     */
    public int connectionCount()
    {
        return connections.size();
    }

    /**
     * Close every connection and the selector.
     */
    public void close()
    {
        for (final Connection connection : connections.values().toArray(new Connection[0]))
        {
            connection.close("shutdown");
        }
        for (final SelectionKey key : selector.keys())
        {
            try
            {
                key.channel().close();
            }
            catch (final IOException ignore)
            {
                // shutting down
            }
        }
        try
        {
            selector.close();
        }
        catch (final IOException ignore)
        {
            // shutting down
        }
    }
}
