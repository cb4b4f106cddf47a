package io.msgc.io;

import org.agrona.ErrorHandler;
import org.agrona.collections.ArrayUtil;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The event loop's I/O half: one {@link Selector} for listeners and connections, non-blocking accept,
 * connect, read and write. After each poll every connection that queued bytes during the turn is flushed once,
 * so frames bound for one socket leave in as few {@code write} calls as possible.
 * Ready keys are taken with {@link Selector#selectNow(Consumer)}, which allocates no iterator.
 * <p>
 * <b>Turns.</b> A poll is one loop turn; an owner may widen the turn around its own work (timers, housekeeping)
 * with {@link #beginTurn} and {@link #endTurn}. A {@link Connection#close} asked for inside a turn runs at the
 * end of it, so no handler ever runs nested inside a loop over receivers.
 * <p>
 * <b>Fairness.</b> Each connection gets at most {@link #frameLimit} frames per turn; frames left over are
 * delivered in the next turn whether or not the socket has new bytes. Ready connections are served from a start
 * index that moves on every turn, as Aeron's Sender does, so no connection is always served first. While frames
 * wait like this the loop is busy by definition, so up to {@link #MAX_BUSY_TURNS} turns in a row skip the select
 * and hold writes smaller than {@link #HOLD_WRITE_BYTES}: a small frame limit then costs no more system calls
 * per frame than a large one.
 * <p>
 * <b>Clocks.</b> {@link #nowMs} is monotonic (a {@link NanoClock}), for every deadline and age; {@link #epochMs}
 * is wall-clock time for display only, read on the first ask in a turn. Both may be injected for tests.
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

    /** Period of the housekeeping tick: buffers that stayed empty go back to the pool, starved reads retry. */
    static final long TICK_MS = 250;
    /**
     * While frames wait for the next turn, at most this many turns in a row skip the select and hold small
     * writes: a loop that is busy with capped connections pays its system calls once per so many turns.
     */
    static final int MAX_BUSY_TURNS = 16;
    /** Pending bytes below which a write may be held in a busy turn. */
    static final int HOLD_WRITE_BYTES = 64 * 1024;

    private final Selector selector;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final BufferPool bufferPool;
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final Consumer<SelectionKey> ignoreReady = key -> { };
    private ErrorHandler errorHandler = Throwable::printStackTrace;
    private Connection[] connections = new Connection[64];
    private int connectionCount;
    private Connection[] dirty = new Connection[64];
    private int dirtyCount;
    private Connection[] ready = new Connection[64];
    private int readyCount;
    private Connection[] backlog = new Connection[16];
    private int backlogCount;
    private Connection[] closing = new Connection[16];
    private int closingCount;
    private int frameLimit = Integer.MAX_VALUE;
    private int roundRobin;
    private boolean serving;
    private int busyTurns;
    private boolean holdWrites;
    private int heldCount;
    private int turnDepth;
    private long turn;
    private long nextId = 1;
    private long nowNs;
    private long nowMs;
    private long epochMs;
    private boolean epochStale;
    private long nextTickMs;
    private int workCount;

    /**
     * A poller on the system clocks with no buffer budget (for a client's single connection).
     *
     * @throws IOException when the selector cannot be opened.
     */
    public Poller() throws IOException
    {
        this(SystemNanoClock.INSTANCE, SystemEpochClock.INSTANCE, Long.MAX_VALUE);
    }

    /**
     * @param nanoClock          monotonic clock for deadlines.
     * @param epochClock         wall clock, for display only.
     * @param maxBufferMemory    budget of direct memory for connection buffers, {@link Long#MAX_VALUE} for none.
     * @throws IOException when the selector cannot be opened.
     */
    public Poller(final NanoClock nanoClock, final EpochClock epochClock, final long maxBufferMemory)
        throws IOException
    {
        this.nanoClock = nanoClock;
        this.epochClock = epochClock;
        this.bufferPool = new BufferPool(maxBufferMemory);
        selector = Selector.open();
        updateClock();
        nextTickMs = nowMs + TICK_MS;
    }

    Selector selector()
    {
        return selector;
    }

    /**
     * @return the loop's monotonic clock in ms (arbitrary origin), refreshed at each poll: for deadlines and ages.
     */
    public long nowMs()
    {
        return nowMs;
    }

    /**
     * @return the loop's monotonic clock in ns, read at the same time as {@link #nowMs}: a per-frame path reads the
     *         time of its turn here instead of reading the clock (20-30 ns a read, a third of routing a frame).
     */
    public long nowNs()
    {
        return nowNs;
    }

    /**
     * @return wall-clock epoch ms of this turn, read on the turn's first call (it is for display only, never a
     *         deadline, and most turns never ask, so a turn reads one clock, not two).
     */
    public long epochMs()
    {
        if (epochStale)
        {
            epochMs = epochClock.time();
            epochStale = false;
        }
        return epochMs;
    }

    /**
     * Read the monotonic clock now (a poll does it at its start, and again after a select that may have waited);
     * the wall clock is read when next asked.
     */
    public void updateClock()
    {
        nowNs = nanoClock.nanoTime();
        nowMs = nowNs / 1_000_000;
        epochStale = true;
    }

    /**
     * @return the pool every connection's buffers come from.
     */
    public BufferPool bufferPool()
    {
        return bufferPool;
    }

    /**
     * @param handler receives exceptions thrown by handlers and timers; the loop carries on.
     */
    public void errorHandler(final ErrorHandler handler)
    {
        this.errorHandler = handler;
    }

    /**
     * @param frames most frames delivered per connection per turn (the config's {@code messages_per_iter}).
     */
    public void frameLimit(final int frames)
    {
        if (frames < 1)
        {
            throw new IllegalArgumentException("frame limit must be at least 1: " + frames);
        }
        this.frameLimit = frames;
    }

    /**
     * @return most frames delivered per connection per turn.
     */
    public int frameLimit()
    {
        return frameLimit;
    }

    long turn()
    {
        return turn;
    }

    /**
     * Make a select blocked in another thread's {@link #poll} or {@link #await} return now. Safe from any thread.
     */
    public void wakeup()
    {
        selector.wakeup();
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
     * Take ownership of an accepted channel. No buffer memory is taken until bytes flow.
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
        add(connection);
        return connection;
    }

    /**
     * Start a non-blocking connect; {@link FrameHandler#onConnected} or {@link FrameHandler#onClosed} follows.
     *
     * @param remote         where to connect (resolved: this never looks a name up).
     * @param local          local address to bind, or null.
     * @param handler        frame handler.
     * @param maxFrameLength largest frame accepted.
     * @param writeLimit     most bytes pending to write.
     * @param socketBuffer   SO_SNDBUF/SO_RCVBUF, 0 to leave the OS default.
     * @return the connection (connecting).
     * @throws IOException when the socket cannot be opened or the address is unusable (unresolved, wrong type).
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
        final Connection connection;
        try
        {
            configure(channel, socketBuffer);
            if (local != null)
            {
                channel.bind(local);
            }
            final boolean connected = channel.connect(remote);
            connection = new Connection(this, nextId++, channel, handler, maxFrameLength, writeLimit, true);
            add(connection);
            if (connected)
            {
                beginTurn();
                try
                {
                    connection.finishConnect();
                }
                finally
                {
                    endTurn();
                }
            }
            return connection;
        }
        catch (final IOException ex)
        {
            channel.close();
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            // UnresolvedAddressException and friends are unchecked: never let them escape the loop
            channel.close();
            throw new IOException("cannot connect to " + remote + ": " + ex, ex);
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
     * Open a loop turn, or widen the one in progress: until the matching {@link #endTurn}, closes are deferred.
     * Pair every call with {@link #endTurn} in a {@code finally}.
     */
    public void beginTurn()
    {
        turnDepth++;
    }

    /**
     * Close the turn opened by the matching {@link #beginTurn}. The outermost one runs the deferred closes (and
     * the closes their handlers ask for) and flushes every connection written to, until nothing is left.
     *
     * @return work done (connections closed and flushed).
     */
    public int endTurn()
    {
        if (turnDepth > 1)
        {
            turnDepth--;
            return 0;
        }
        int work = 0;
        try
        {
            while (closingCount > 0 || dirtyCount > heldCount)
            {
                work += drainCloses();
                work += flushDirtyInTurn();
            }
        }
        finally
        {
            turnDepth = 0;
            holdWrites = false;
        }
        return work;
    }

    /**
     * One loop turn of I/O: select (without blocking when {@code timeoutMs} is 0 or frames wait from the last
     * turn), serve ready connections, then flush every connection written to.
     *
     * @param timeoutMs 0 for selectNow, else the longest wait.
     * @return work done (ready keys + frames + flushes).
     */
    public int poll(final long timeoutMs)
    {
        int work = 0;
        beginTurn();
        try
        {
            turn++;
            updateClock();
            workCount = 0;
            takeBacklog();
            final boolean busy = readyCount > 0 && ++busyTurns < MAX_BUSY_TURNS;
            if (!busy)
            {
                busyTurns = 0;
                final long waitMs = readyCount > 0 ? 0 : timeoutMs;
                select(waitMs);
                if (waitMs > 0)
                {
                    updateClock();
                }
            }
            work = workCount + serveReady();
            if (nowMs >= nextTickMs)
            {
                tick();
            }
            // frames wait for the next turn: small writes wait with them, up to MAX_BUSY_TURNS
            holdWrites = backlogCount > 0 && busyTurns + 1 < MAX_BUSY_TURNS;
            work += flushDirtyInTurn();
        }
        finally
        {
            work += endTurn();
        }
        return work;
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
        int work = 0;
        beginTurn();
        try
        {
            turn++;
            updateClock();
            work = connection.read() + flushDirtyInTurn();
            if (connection.pendingBytes() > 0)
            {
                connection.flush();
            }
            if (nowMs >= nextTickMs)
            {
                tick();
            }
        }
        finally
        {
            work += endTurn();
        }
        return work;
    }

    /**
     * Flush every connection that queued bytes since the last flush (a turn of its own outside a turn).
     *
     * @return connections flushed.
     */
    public int flushDirty()
    {
        beginTurn();
        try
        {
            return flushDirtyInTurn();
        }
        finally
        {
            endTurn();
        }
    }

    private void select(final long timeoutMs)
    {
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
    }

    private int flushDirtyInTurn()
    {
        int count = 0;
        int held = 0;
        for (int i = 0; i < dirtyCount; i++)
        {
            final Connection connection = dirty[i];
            dirty[i] = null;
            if (holdWrites && connection.pendingBytes() < HOLD_WRITE_BYTES && !connection.isClosed())
            {
                dirty[held++] = connection; // stays dirty: flushed in a later turn
                continue;
            }
            connection.flush();
            count++;
        }
        dirtyCount = held;
        heldCount = held;
        return count;
    }

    private int drainCloses()
    {
        // a close's handler may ask for more closes: they join the end of this list and run in this pass
        int count = 0;
        for (int i = 0; i < closingCount; i++)
        {
            final Connection connection = closing[i];
            closing[i] = null;
            try
            {
                connection.closeNow();
            }
            catch (final RuntimeException ex)
            {
                onError(ex);
            }
            count++;
        }
        closingCount = 0;
        return count;
    }

    void requestClose(final Connection connection)
    {
        if (closingCount == closing.length)
        {
            closing = ArrayUtil.ensureCapacity(closing, closingCount << 1);
        }
        closing[closingCount++] = connection;
        if (turnDepth == 0)
        {
            beginTurn();
            endTurn();
        }
    }

    void onError(final Throwable error)
    {
        try
        {
            errorHandler.onError(error);
        }
        catch (final RuntimeException ignore)
        {
            // an error handler that fails must not take the loop down
        }
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
            final int readyOps = key.readyOps();
            if ((readyOps & SelectionKey.OP_CONNECT) != 0)
            {
                connection.finishConnect();
                return;
            }
            if ((readyOps & SelectionKey.OP_WRITE) != 0)
            {
                connection.flush();
            }
            if ((readyOps & SelectionKey.OP_READ) != 0)
            {
                connection.readable = true;
                addReady(connection);
            }
        }
        else if (attachment instanceof AcceptHandler)
        {
            acceptAll((ServerSocketChannel)key.channel(), (AcceptHandler)attachment);
        }
    }

    private void addReady(final Connection connection)
    {
        if (connection.readyTurn != turn)
        {
            connection.readyTurn = turn;
            if (readyCount == ready.length)
            {
                ready = ArrayUtil.ensureCapacity(ready, readyCount << 1);
            }
            ready[readyCount++] = connection;
        }
    }

    private void takeBacklog()
    {
        readyCount = 0;
        for (int i = 0; i < backlogCount; i++)
        {
            final Connection connection = backlog[i];
            backlog[i] = null;
            connection.inBacklog = false;
            if (!connection.isClosed())
            {
                addReady(connection);
            }
        }
        backlogCount = 0;
    }

    void backlog(final Connection connection)
    {
        if (!connection.inBacklog)
        {
            connection.inBacklog = true;
            // while serving, ready connections join the backlog after the pass, in ready-list order (below)
            if (!serving || connection.readyTurn != turn)
            {
                pushBacklog(connection);
            }
        }
    }

    private void pushBacklog(final Connection connection)
    {
        if (backlogCount == backlog.length)
        {
            backlog = ArrayUtil.ensureCapacity(backlog, backlogCount << 1);
        }
        backlog[backlogCount++] = connection;
    }

    private int serveReady()
    {
        final int count = readyCount;
        if (count == 0)
        {
            return 0;
        }
        int start = roundRobin++;
        if (start >= count)
        {
            start = 0;
            roundRobin = 1;
        }
        int frames = 0;
        serving = true;
        try
        {
            for (int i = start; i < count; i++)
            {
                frames += serve(ready[i]);
            }
            for (int i = 0; i < start; i++)
            {
                frames += serve(ready[i]);
            }
        }
        finally
        {
            serving = false;
        }
        // the backlog keeps the ready list's order, not the order served: the start index then rotates over a
        // stable order and every backlogged connection is served first in turn
        for (int i = 0; i < count; i++)
        {
            final Connection connection = ready[i];
            ready[i] = null;
            if (connection.inBacklog)
            {
                pushBacklog(connection);
            }
        }
        readyCount = 0;
        return frames;
    }

    private static int serve(final Connection connection)
    {
        if (connection.readable)
        {
            connection.readable = false;
            return connection.read();
        }
        return connection.deliverBacklog();
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

    private void tick()
    {
        nextTickMs = nowMs + TICK_MS;
        for (int i = 0; i < connectionCount; i++)
        {
            connections[i].onTick();
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

    private void add(final Connection connection)
    {
        if (connectionCount == connections.length)
        {
            connections = ArrayUtil.ensureCapacity(connections, connectionCount << 1);
        }
        connection.index = connectionCount;
        connections[connectionCount++] = connection;
    }

    void onClosed(final Connection connection)
    {
        final int at = connection.index;
        final Connection last = connections[--connectionCount];
        connections[at] = last;
        last.index = at;
        connections[connectionCount] = null;
    }

    /**
     * @return open connections.
     */
    public int connectionCount()
    {
        return connectionCount;
    }

    /**
     * Close every connection, each as a turn of its own (as {@link Connection#close} outside a turn), then the
     * selector, and free the buffer memory kept for reuse.
     */
    public void close()
    {
        for (final Connection connection : Arrays.copyOf(connections, connectionCount))
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
        if (turnDepth == 0)
        {
            bufferPool.freeKept();
        }
    }
}
