package io.msgc.io;

import io.msgc.wire.ErrorCode;
import io.msgc.wire.FrameHeader;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One TCP connection owned by a {@link Poller}: a read buffer that reassembles frames across partial reads,
 * and a write buffer that coalesces every frame queued during a loop turn into as few writes as possible.
 * <p>
 * Buffers come from the poller's {@link BufferPool}: none until the first byte in either direction, then
 * {@link BufferPool#MIN_CHUNK}, doubling on demand (the write buffer up to the write limit, the read buffer to
 * the largest frame, or to 64 KiB so that a busy connection reads in batches). A buffer found empty at four
 * successive poller ticks (one second) goes back to the pool, so a connection that is idle holds no memory.
 * When the pool refuses to grow a buffer, an offer fails (as over the write limit) and a read waits (reading
 * stops until memory is free again).
 * <p>
 * Frames are handed to the {@link FrameHandler} at most {@link Poller#frameLimit} per loop turn; the rest wait
 * in the buffer for the next turn. A frame is consumed before its handler runs, so an exception cannot deliver
 * it again: the exception goes to the poller's error handler and the connection closes.
 * <p>
 * {@link #close} inside a loop turn is deferred: offers and reads stop at once, the socket closes and
 * {@link FrameHandler#onClosed} runs at the end of the turn, never nested in the code that asked.
 * Single-threaded: only the poller's thread touches it.
 */
public final class Connection implements FrameSink
{
    /** A busy connection's read buffer grows to this, so that one read takes a batch of frames. */
    private static final int READ_BATCH = 64 * 1024;
    /** Poller ticks a buffer must be found empty at before it goes back to the pool. */
    private static final int IDLE_TICKS = 4;

    private final Poller poller;
    private final BufferPool pool;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final FrameHandler handler;
    private final int maxFrameLength;
    private int readBufferLimit = Integer.MAX_VALUE;
    private int writeLimit;
    private final long id;
    /** Slot in the poller's table. */
    int index;
    /** Set by the poller when OP_READ was reported this turn. */
    boolean readable;
    /** The poller turn in which this connection was put on the ready list. */
    long readyTurn;
    /** True while on the poller's list of connections with frames left for the next turn. */
    boolean inBacklog;

    private ByteBuffer readByteBuffer;
    private final UnsafeBuffer readBuffer = new UnsafeBuffer(0, 0);
    private int readStart;
    private int readEnd;
    private ByteBuffer writeByteBuffer;
    private final UnsafeBuffer writeBuffer = new UnsafeBuffer(0, 0);
    private int writePosition;
    private int writeEnd;

    private boolean connecting;
    private boolean closing;
    private boolean closed;
    private String closeReason;
    private String endOfInput;
    private boolean dirty;
    private boolean stopReading;
    private boolean starved;
    private boolean deferInterest;
    private boolean delivering;
    private boolean useReserve;
    private long deliveryTurn;
    private int framesThisTurn;
    private int readIdleTicks;
    private int writeIdleTicks;
    private long bytesIn;
    private long bytesOut;
    private long lastReadMs;
    private long pausedSinceMs;
    private Object attachment;
    private final String remote;

    Connection(
        final Poller poller,
        final long id,
        final SocketChannel channel,
        final FrameHandler handler,
        final int maxFrameLength,
        final int writeLimit,
        final boolean connecting) throws IOException
    {
        this.poller = poller;
        this.pool = poller.bufferPool();
        this.id = id;
        this.channel = channel;
        this.handler = handler;
        this.maxFrameLength = maxFrameLength;
        this.writeLimit = writeLimit;
        this.connecting = connecting;
        key = channel.register(poller.selector(), connecting ? SelectionKey.OP_CONNECT : SelectionKey.OP_READ, this);
        final InetSocketAddress address = connecting ? null : (InetSocketAddress)channel.getRemoteAddress();
        remote = address == null ? "?" : address.getAddress().getHostAddress() + ":" + address.getPort();
        lastReadMs = poller.nowMs();
    }

    /**
     * @return id unique within the poller, for logs.
     */
    public long id()
    {
        return id;
    }

    /**
     * @return remote "address:port" of an accepted connection, "?" for a dialled one before it connects.
     */
    public String remote()
    {
        return remote;
    }

    /**
     * @return the socket channel.
     */
    public SocketChannel channel()
    {
        return channel;
    }

    /**
     * @return the owner's state attached to this connection.
     */
    public Object attachment()
    {
        return attachment;
    }

    /**
     * @param attachment the owner's state for this connection.
     */
    public void attachment(final Object attachment)
    {
        this.attachment = attachment;
    }

    /**
     * @return true once {@link #close} was called: from then on nothing is read or queued, even while the socket
     *         itself waits for the end of the loop turn to close.
     */
    public boolean isClosed()
    {
        return closing;
    }

    /**
     * @return bytes read so far.
     */
    public long bytesIn()
    {
        return bytesIn;
    }

    /**
     * @return bytes written so far.
     */
    public long bytesOut()
    {
        return bytesOut;
    }

    /**
     * @return poller clock (monotonic ms) of the last read, moved forward by every pause in reading that the
     *         owner asked for ({@link #stopReading}) or that waited for buffer memory: time the server itself did
     *         not read does not count as the remote's silence.
     */
    public long lastReadMs()
    {
        return lastReadMs;
    }

    /**
     * @param nowMs the poller clock.
     * @return how long the remote has been silent, not counting time in which this side did not read it.
     */
    public long idleMs(final long nowMs)
    {
        return (readPaused() ? pausedSinceMs : nowMs) - lastReadMs;
    }

    /**
     * Change the most bytes that may wait to be written, once the role of an accepted connection is known.
     *
     * @param writeLimit new limit in bytes.
     */
    public void writeLimit(final int writeLimit)
    {
        this.writeLimit = writeLimit;
    }

    /**
     * @return the most bytes that may wait to be written.
     */
    public int writeLimit()
    {
        return writeLimit;
    }

    /**
     * Bound the read buffer, e.g. to one small chunk until a handshake is done: a frame that would need more is a
     * framing error, so a connection that has not said who it is cannot make the server reserve a large buffer.
     *
     * @param bytes most bytes the read buffer may hold; {@link Integer#MAX_VALUE} for the frame limit only.
     */
    public void readBufferLimit(final int bytes)
    {
        readBufferLimit = bytes;
    }

    /**
     * Let this connection's buffers use the reserve of the buffer budget (for peer links, which must not be
     * starved by clients).
     *
     * @param useReserve true to allow the reserve.
     */
    public void useReserve(final boolean useReserve)
    {
        this.useReserve = useReserve;
    }

    /**
     * @return bytes queued and not yet written to the socket.
     */
    public int pendingBytes()
    {
        return writeEnd - writePosition;
    }

    /**
     * @return bytes of buffer memory this connection holds now.
     */
    public int bufferBytes()
    {
        return (readByteBuffer == null ? 0 : readByteBuffer.capacity()) +
            (writeByteBuffer == null ? 0 : writeByteBuffer.capacity());
    }

    /**
     * Pause or resume reading, for back-pressure towards this connection's sender. While paused, the idle clock
     * ({@link #idleMs}) stands still. Frames already buffered are delivered after a resume by
     * {@link #deliverBuffered}.
     *
     * @param stop true to stop reading.
     */
    public void stopReading(final boolean stop)
    {
        if (stopReading != stop && !closing && !connecting)
        {
            final boolean wasPaused = readPaused();
            stopReading = stop;
            onPauseChange(wasPaused);
            updateInterest();
        }
    }

    /**
     * Queue bytes for writing; they go out at the end of the loop turn, coalesced with the others.
     *
     * @param src    source buffer.
     * @param offset first byte.
     * @param length byte count.
     * @return false when the pending bytes would pass the write limit, when the buffer budget cannot grow the
     *         buffer, or once the connection is closed (nothing is queued then).
     */
    public boolean offer(final DirectBuffer src, final int offset, final int length)
    {
        if (closing || !ensureWritable(length))
        {
            return false;
        }
        writeBuffer.putBytes(writeEnd, src, offset, length);
        writeEnd += length;
        markDirty();
        return true;
    }

    /**
     * Reserve space to encode a frame in place; call {@link #commit} with the encoded length.
     *
     * @param length most bytes the caller will write.
     * @return offset into {@link #writeBuffer()} to encode at, or -1 when the frame cannot be queued (as for
     *         {@link #offer}).
     */
    public int claim(final int length)
    {
        if (closing || !ensureWritable(length))
        {
            return -1;
        }
        return writeEnd;
    }

    /**
     * @return the buffer {@link #claim} offsets refer to. Valid until the next claim or offer.
     */
    public UnsafeBuffer writeBuffer()
    {
        return writeBuffer;
    }

    /**
     * Commit bytes encoded at the offset returned by {@link #claim}.
     *
     * @param length bytes written.
     */
    public void commit(final int length)
    {
        writeEnd += length;
        markDirty();
    }

    private void markDirty()
    {
        if (!dirty)
        {
            dirty = true;
            poller.markDirty(this);
        }
    }

    private boolean ensureWritable(final int length)
    {
        final int pending = writeEnd - writePosition;
        if (length > writeLimit - pending)
        {
            return false;
        }
        writeIdleTicks = 0;
        if (writeByteBuffer != null)
        {
            final int capacity = writeBuffer.capacity();
            if (length <= capacity - writeEnd)
            {
                return true;
            }
            if (length <= capacity - pending)
            {
                writeBuffer.putBytes(0, writeBuffer, writePosition, pending);
                writePosition = 0;
                writeEnd = pending;
                return true;
            }
        }
        final ByteBuffer grown = pool.acquire(pending + length, useReserve);
        if (grown == null)
        {
            return false;
        }
        final ByteBuffer old = writeByteBuffer;
        if (old != null)
        {
            old.limit(writeEnd).position(writePosition);
            grown.put(old);
            grown.clear();
            pool.release(old);
        }
        writeByteBuffer = grown;
        writeBuffer.wrap(grown);
        writePosition = 0;
        writeEnd = pending;
        return true;
    }

    /**
     * Write what is pending. Called by the poller at the end of a loop turn and on OP_WRITE.
     */
    void flush()
    {
        dirty = false;
        if (closed || connecting || writeEnd == writePosition)
        {
            return;
        }
        try
        {
            writeByteBuffer.limit(writeEnd).position(writePosition);
            final int written = channel.write(writeByteBuffer);
            writePosition += written;
            bytesOut += written;
            if (writePosition == writeEnd)
            {
                writePosition = 0;
                writeEnd = 0;
            }
            updateInterest();
        }
        catch (final IOException ex)
        {
            close("write failed: " + ex.getMessage());
        }
    }

    private void updateInterest()
    {
        if (!deferInterest)
        {
            applyInterest();
        }
    }

    /**
     * Keep interest-op changes on this connection instead of handing each one to the selector, for a connection
     * driven without the selector ({@link Poller#pollSingle}). The JDK queues every interest change until the
     * next select, so a connection that toggles OP_READ/OP_WRITE and is never selected grows that queue without
     * bound. While deferred, call {@link #applyInterest()} before any select that must see this connection.
     *
     * @param defer true to defer, false to apply every change at once again (the current ops are applied now).
     */
    public void deferInterest(final boolean defer)
    {
        deferInterest = defer;
        if (!defer)
        {
            applyInterest();
        }
    }

    /**
     * Hand the interest ops this connection wants now (read unless paused, write while bytes are pending) to the
     * selector, if they differ from what it has.
     */
    public void applyInterest()
    {
        if (closed || connecting)
        {
            return;
        }
        int ops = closing || stopReading || starved || endOfInput != null ? 0 : SelectionKey.OP_READ;
        if (writeEnd != writePosition)
        {
            ops |= SelectionKey.OP_WRITE;
        }
        if (key.interestOps() != ops)
        {
            key.interestOps(ops);
        }
    }

    /**
     * @return offset in {@link #writeBuffer()} of the first byte not yet written; {@link #pendingBytes()} follow.
     */
    public int pendingOffset()
    {
        return writePosition;
    }

    private boolean readPaused()
    {
        return stopReading || starved;
    }

    private void onPauseChange(final boolean wasPaused)
    {
        final boolean paused = readPaused();
        if (paused && !wasPaused)
        {
            pausedSinceMs = poller.nowMs();
        }
        else if (!paused && wasPaused)
        {
            lastReadMs += poller.nowMs() - pausedSinceMs;
        }
    }

    /**
     * Read what the socket has and hand complete frames to the handler, up to the turn's frame limit.
     *
     * @return frames delivered.
     */
    int read()
    {
        if (closing || stopReading || starved || endOfInput != null)
        {
            return 0;
        }
        if (readByteBuffer == null)
        {
            final ByteBuffer chunk = pool.acquire(BufferPool.MIN_CHUNK, useReserve);
            if (chunk == null)
            {
                starve();
                return 0;
            }
            setReadBuffer(chunk);
        }
        final int capacity = readBuffer.capacity();
        if (readStart > 0 && capacity - readEnd < capacity >> 1)
        {
            compactRead();
        }
        final int space = capacity - readEnd;
        if (space > 0)
        {
            final int read;
            try
            {
                readByteBuffer.limit(capacity).position(readEnd);
                read = channel.read(readByteBuffer);
            }
            catch (final IOException ex)
            {
                return endOfInput("read failed: " + ex.getMessage());
            }
            if (read < 0)
            {
                return endOfInput("closed by remote");
            }
            if (read > 0)
            {
                readEnd += read;
                bytesIn += read;
                lastReadMs = poller.nowMs();
                readIdleTicks = 0;
                if (read == space && capacity < READ_BATCH && capacity < readBufferLimit)
                {
                    growRead(capacity << 1); // a full read: take a bigger batch next time, if memory allows
                }
            }
        }
        return deliverFrames();
    }

    private int endOfInput(final String reason)
    {
        // frames already buffered still go to the handler; the connection closes once they are delivered
        endOfInput = reason;
        updateInterest();
        return deliverFrames();
    }

    private int deliverFrames()
    {
        if (delivering)
        {
            return 0;
        }
        final long turn = poller.turn();
        if (deliveryTurn != turn)
        {
            deliveryTurn = turn;
            framesThisTurn = 0;
        }
        final int frameLimit = poller.frameLimit();
        int frames = 0;
        delivering = true;
        try
        {
            while (!closing && !stopReading)
            {
                final int available = readEnd - readStart;
                if (available < FrameHeader.LENGTH)
                {
                    break;
                }
                final int length = FrameHeader.frameLength(readBuffer, readStart);
                if (length < FrameHeader.LENGTH || length > maxFrameLength)
                {
                    handler.onFramingError(this, ErrorCode.OVERSIZE_FRAME, "frame length " + length +
                        " outside " + FrameHeader.LENGTH + ".." + maxFrameLength + " (max_frame_size)");
                    close("framing error: bad frame length " + length);
                    break;
                }
                if (length > readBufferLimit)
                {
                    handler.onFramingError(this, ErrorCode.OVERSIZE_FRAME, "frame length " + length +
                        " is over the " + readBufferLimit + " bytes this connection may send now");
                    close("framing error: frame length " + length + " over " + readBufferLimit);
                    break;
                }
                final int version = FrameHeader.version(readBuffer, readStart);
                if (version != FrameHeader.VERSION)
                {
                    handler.onFramingError(this, ErrorCode.BAD_VERSION, "protocol version " + version +
                        " not supported; this server speaks version " + FrameHeader.VERSION);
                    close("framing error: protocol version " + version);
                    break;
                }
                if (available < length)
                {
                    if (length > readBuffer.capacity() && !growRead(length))
                    {
                        starve();
                    }
                    break;
                }
                if (framesThisTurn >= frameLimit)
                {
                    poller.backlog(this);
                    break;
                }
                final int offset = readStart;
                // consumed before the handler runs: an exception cannot make it arrive twice
                readStart += length;
                framesThisTurn++;
                frames++;
                handler.onFrame(this, readBuffer, offset, length);
            }
        }
        catch (final RuntimeException ex)
        {
            poller.onError(ex);
            close("frame handler failed: " + ex);
        }
        finally
        {
            delivering = false;
        }
        if (readStart == readEnd)
        {
            readStart = 0;
            readEnd = 0;
        }
        if (endOfInput != null && !closing && !hasCompleteFrame())
        {
            close(endOfInput);
        }
        return frames;
    }

    private boolean hasCompleteFrame()
    {
        final int available = readEnd - readStart;
        return available >= FrameHeader.LENGTH && available >= FrameHeader.frameLength(readBuffer, readStart);
    }

    /**
     * Resume delivering frames already buffered, after {@link #stopReading(boolean)} is lifted. Runs as a loop
     * turn of its own when called outside one.
     *
     * @return frames delivered.
     */
    public int deliverBuffered()
    {
        if (closing || stopReading || readEnd - readStart < FrameHeader.LENGTH)
        {
            return 0;
        }
        poller.beginTurn();
        try
        {
            return deliverFrames();
        }
        finally
        {
            poller.endTurn();
        }
    }

    /**
     * Deliver frames left from an earlier turn. Called by the poller.
     */
    int deliverBacklog()
    {
        return closing || stopReading ? 0 : deliverFrames();
    }

    private void setReadBuffer(final ByteBuffer chunk)
    {
        readByteBuffer = chunk;
        readBuffer.wrap(chunk);
    }

    private void compactRead()
    {
        final int remaining = readEnd - readStart;
        readBuffer.putBytes(0, readBuffer, readStart, remaining);
        readStart = 0;
        readEnd = remaining;
    }

    private boolean growRead(final int capacity)
    {
        final ByteBuffer grown = pool.acquire(capacity, useReserve);
        if (grown == null)
        {
            return false;
        }
        final ByteBuffer old = readByteBuffer;
        old.limit(readEnd).position(readStart);
        grown.put(old);
        grown.clear();
        readEnd -= readStart;
        readStart = 0;
        pool.release(old);
        setReadBuffer(grown);
        return true;
    }

    private void starve()
    {
        if (!starved)
        {
            final boolean wasPaused = readPaused();
            starved = true;
            onPauseChange(wasPaused);
            updateInterest();
        }
    }

    /**
     * The poller's periodic housekeeping: retry a read that waited for memory, return buffers that stayed empty.
     */
    void onTick()
    {
        if (closing)
        {
            return;
        }
        if (starved)
        {
            starved = false;
            onPauseChange(true);
            updateInterest();
        }
        if (readByteBuffer != null && readStart == readEnd && !delivering && ++readIdleTicks >= IDLE_TICKS)
        {
            pool.release(readByteBuffer);
            readByteBuffer = null;
            readBuffer.wrap(0, 0);
            readStart = 0;
            readEnd = 0;
            readIdleTicks = 0;
        }
        if (writeByteBuffer != null && writeEnd == writePosition && ++writeIdleTicks >= IDLE_TICKS)
        {
            pool.release(writeByteBuffer);
            writeByteBuffer = null;
            writeBuffer.wrap(0, 0);
            writePosition = 0;
            writeEnd = 0;
            writeIdleTicks = 0;
        }
    }

    /**
     * Complete a non-blocking connect. Called by the poller on OP_CONNECT.
     */
    void finishConnect()
    {
        try
        {
            if (channel.finishConnect())
            {
                connecting = false;
                lastReadMs = poller.nowMs();
                updateInterest();
                handler.onConnected(this);
                if (writeEnd != writePosition)
                {
                    markDirty();
                }
            }
        }
        catch (final IOException ex)
        {
            close("connect failed: " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            poller.onError(ex);
            close("connect handler failed: " + ex);
        }
    }

    /**
     * @return true while a dialled connection has not finished connecting.
     */
    public boolean isConnecting()
    {
        return connecting;
    }

    /**
     * Close with a reason; the first reason given wins. Inside a loop turn (frame delivery, a timer, a flush, or
     * between {@link Poller#beginTurn} and {@link Poller#endTurn}) the close is deferred: from now on the
     * connection reads nothing and queues nothing, and at the end of the turn it writes what is pending once,
     * closes the socket and calls {@link FrameHandler#onClosed}. Outside a turn that happens before this returns,
     * and closes it causes in turn follow it, each after the one before, never nested.
     *
     * @param reason why, for the handler and logs.
     */
    public void close(final String reason)
    {
        if (closing)
        {
            return;
        }
        closing = true;
        closeReason = reason;
        updateInterest();
        poller.requestClose(this);
    }

    /**
     * The deferred part of {@link #close}: run by the poller at the end of the turn.
     */
    void closeNow()
    {
        if (closed)
        {
            return;
        }
        if (!connecting && writeEnd != writePosition)
        {
            try
            {
                writeByteBuffer.limit(writeEnd).position(writePosition);
                final int written = channel.write(writeByteBuffer);
                bytesOut += written;
                writePosition += written;
            }
            catch (final IOException ignore)
            {
                // closing anyway
            }
        }
        closed = true;
        key.cancel();
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // nothing more to do
        }
        poller.onClosed(this);
        try
        {
            // the handler may still look at what was never written (a client counts its unsent messages)
            handler.onClosed(this, closeReason);
        }
        finally
        {
            releaseBuffers();
        }
    }

    private void releaseBuffers()
    {
        if (readByteBuffer != null)
        {
            pool.release(readByteBuffer);
            readByteBuffer = null;
            readBuffer.wrap(0, 0);
        }
        if (writeByteBuffer != null)
        {
            pool.release(writeByteBuffer);
            writeByteBuffer = null;
            writeBuffer.wrap(0, 0);
        }
        readStart = 0;
        readEnd = 0;
        writePosition = 0;
        writeEnd = 0;
    }

    /** {@inheritDoc} */
    public String toString()
    {
        return "conn#" + id + "(" + remote + ")";
    }
}
