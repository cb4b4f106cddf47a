package io.msgc.io;

import io.msgc.wire.ErrorCode;
import io.msgc.wire.FrameHeader;
import org.agrona.BufferUtil;
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
 * Both buffers start small and grow on demand up to their limits, so idle connections cost little.
 * Single-threaded: only the poller's thread touches it.
 */
public final class Connection
{
    private static final int INITIAL_BUFFER = 64 * 1024;

    private final Poller poller;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final FrameHandler handler;
    private final int maxFrameLength;
    private int writeLimit;
    private final long id;

    private ByteBuffer readByteBuffer;
    private final UnsafeBuffer readBuffer = new UnsafeBuffer(0, 0);
    private ByteBuffer writeByteBuffer;
    private final UnsafeBuffer writeBuffer = new UnsafeBuffer(0, 0);
    private int writePosition;
    private int writeEnd;

    private boolean connecting;
    private boolean closed;
    private boolean dirty;
    private boolean stopReading;
    private boolean deferInterest;
    private long bytesIn;
    private long bytesOut;
    private long lastReadMs;
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
        this.id = id;
        this.channel = channel;
        this.handler = handler;
        this.maxFrameLength = maxFrameLength;
        this.writeLimit = writeLimit;
        this.connecting = connecting;
        final int initial = Math.min(INITIAL_BUFFER, Math.max(maxFrameLength, 4096));
        readByteBuffer = BufferUtil.allocateDirectAligned(initial, 64);
        readBuffer.wrap(readByteBuffer);
        writeByteBuffer = BufferUtil.allocateDirectAligned(Math.min(INITIAL_BUFFER, writeLimit), 64);
        writeBuffer.wrap(writeByteBuffer);
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
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return closed;
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
     * @return poller clock (ms) of the last successful read.
     */
    public long lastReadMs()
    {
        return lastReadMs;
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
     * @return bytes queued and not yet written to the socket.
     */
    public int pendingBytes()
    {
        return writeEnd - writePosition;
    }

    /**
     * Pause or resume reading, for back-pressure towards this connection's sender.
     *
     * @param stop true to stop reading.
     */
    public void stopReading(final boolean stop)
    {
        if (stopReading != stop && !closed && !connecting)
        {
            stopReading = stop;
            updateInterest();
        }
    }

    /**
     * Queue bytes for writing; they go out at the end of the loop turn, coalesced with the others.
     *
     * @param src    source buffer.
     * @param offset first byte.
     * @param length byte count.
     * @return false when the pending bytes would pass the write limit (nothing is queued then).
     */
    public boolean offer(final DirectBuffer src, final int offset, final int length)
    {
        if (closed)
        {
            return false;
        }
        if (!ensureWritable(length))
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
     * @return offset into {@link #writeBuffer()} to encode at, or -1 when over the write limit.
     */
    public int claim(final int length)
    {
        if (closed || !ensureWritable(length))
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
        if (pending + length > writeLimit)
        {
            return false;
        }
        final int capacity = writeBuffer.capacity();
        if (writeEnd + length <= capacity)
        {
            return true;
        }
        if (pending + length <= capacity && writePosition > 0)
        {
            writeBuffer.putBytes(0, writeBuffer, writePosition, pending);
        }
        else
        {
            int newCapacity = capacity;
            while (newCapacity < pending + length)
            {
                newCapacity = (int)Math.min((long)newCapacity << 1, writeLimit);
            }
            final ByteBuffer grown = BufferUtil.allocateDirectAligned(newCapacity, 64);
            final UnsafeBuffer target = new UnsafeBuffer(grown);
            target.putBytes(0, writeBuffer, writePosition, pending);
            writeByteBuffer = grown;
            writeBuffer.wrap(grown);
        }
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
        if (closed || deferInterest)
        {
            return;
        }
        int ops = stopReading ? 0 : SelectionKey.OP_READ;
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
     * Hand the interest ops this connection wants now (read unless stopped, write while bytes are pending) to the
     * selector, if they differ from what it has.
     */
    public void applyInterest()
    {
        if (closed || connecting)
        {
            return;
        }
        final int ops = (stopReading ? 0 : SelectionKey.OP_READ) |
            (writeEnd != writePosition ? SelectionKey.OP_WRITE : 0);
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

    /**
     * Read what the socket has and hand every complete frame to the handler.
     *
     * @return frames delivered.
     */
    int read()
    {
        if (closed || stopReading)
        {
            return 0;
        }
        final int read;
        try
        {
            read = channel.read(readByteBuffer);
        }
        catch (final IOException ex)
        {
            close("read failed: " + ex.getMessage());
            return 0;
        }
        if (read < 0)
        {
            close("closed by remote");
            return 0;
        }
        if (read == 0)
        {
            return 0;
        }
        bytesIn += read;
        lastReadMs = poller.nowMs();
        return deliverFrames();
    }

    private int deliverFrames()
    {
        final int end = readByteBuffer.position();
        int offset = 0;
        int frames = 0;
        while (end - offset >= FrameHeader.LENGTH && !closed && !stopReading)
        {
            final int length = FrameHeader.frameLength(readBuffer, offset);
            if (length < FrameHeader.LENGTH || length > maxFrameLength)
            {
                handler.onFramingError(this, ErrorCode.OVERSIZE_FRAME, "frame length " + length +
                    " outside " + FrameHeader.LENGTH + ".." + maxFrameLength + " (max_frame_size)");
                close("framing error: bad frame length " + length);
                return frames;
            }
            final int version = FrameHeader.version(readBuffer, offset);
            if (version != FrameHeader.VERSION)
            {
                handler.onFramingError(this, ErrorCode.BAD_VERSION, "protocol version " + version +
                    " not supported; this server speaks version " + FrameHeader.VERSION);
                close("framing error: protocol version " + version);
                return frames;
            }
            if (end - offset < length)
            {
                if (length > readBuffer.capacity())
                {
                    growReadBuffer(length, offset, end);
                    return frames;
                }
                break;
            }
            handler.onFrame(this, readBuffer, offset, length);
            offset += length;
            frames++;
        }
        if (closed)
        {
            return frames;
        }
        // keep the partial frame, at the start of the buffer
        final int remaining = end - offset;
        if (offset > 0 && remaining > 0)
        {
            readBuffer.putBytes(0, readBuffer, offset, remaining);
        }
        readByteBuffer.limit(readByteBuffer.capacity()).position(remaining);
        return frames;
    }

    /**
     * Resume delivering frames already buffered, after {@link #stopReading(boolean)} is lifted.
     *
     * @return frames delivered.
     */
    public int deliverBuffered()
    {
        return closed || stopReading ? 0 : deliverFrames();
    }

    private void growReadBuffer(final int frameLength, final int offset, final int end)
    {
        int capacity = readBuffer.capacity();
        while (capacity < frameLength)
        {
            capacity <<= 1;
        }
        final ByteBuffer grown = BufferUtil.allocateDirectAligned(capacity, 64);
        final UnsafeBuffer target = new UnsafeBuffer(grown);
        target.putBytes(0, readBuffer, offset, end - offset);
        readByteBuffer = grown;
        readBuffer.wrap(grown);
        readByteBuffer.position(end - offset);
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
    }

    /**
     * @return true while a dialled connection has not finished connecting.
     */
    public boolean isConnecting()
    {
        return connecting;
    }

    /**
     * Try to write what is pending now, then close. The handler's {@link FrameHandler#onClosed} runs once.
     *
     * @param reason why, for the handler and logs.
     */
    public void close(final String reason)
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
                bytesOut += channel.write(writeByteBuffer);
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
        handler.onClosed(this, reason);
    }

    /** {@inheritDoc} */
    public String toString()
    {
        return "conn#" + id + "(" + remote + ")";
    }
}
