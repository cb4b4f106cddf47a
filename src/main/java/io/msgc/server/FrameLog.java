package io.msgc.server;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An append-only log of frames in a growable ring of bytes: a node's own stream (what it must be able to send
 * again until every member has processed it) or what it holds of a peer's stream (what it must be able to give
 * another survivor if that peer fails). Each record keeps the frame with its stream position and the nodes it
 * is routed to. Records never straddle the end of the ring: a padding record fills the gap.
 * <p>
 * Positions are monotonic byte offsets ({@code long}); a position stays valid until {@link #discardThrough}
 * passes it. Single-threaded, no allocation per append unless the ring grows.
 * <p>
 * An index beside the ring holds each record's position and seq, in order (seqs never decrease along a log):
 * discarding what peers acknowledged and finding a seq search the index instead of walking the records, whose
 * headers are cold in cache by the time an acknowledgement arrives (megabytes later at full rate).
 * <pre>
 *   0  int32  record length (aligned to 8), header included
 *   4  int32  frame length, -1 for padding
 *   8  int64  stream position (seq)
 *  16  int64  route: bit n set when the frame goes to node n
 *  24  frame bytes
 * </pre>
 */
final class FrameLog
{
    private static final int HEADER = 24;
    private static final int PADDING = -1;
    private static final int INITIAL_INDEX = 256;

    private final int maxCapacity;
    private UnsafeBuffer buffer;
    private int mask;
    private long head;
    private long tail;
    /** Per record, in append order: {@code [2i]} its position, {@code [2i + 1]} its seq; a ring of records. */
    private long[] index = new long[INITIAL_INDEX * 2];
    private int indexMask = INITIAL_INDEX - 1;
    /** Record numbers: of the oldest record held, and of the next to be appended. */
    private long first;
    private long end;

    /**
     * @param initialCapacity bytes at first (rounded up to a power of two).
     * @param maxCapacity     the ring never grows past this.
     */
    FrameLog(final int initialCapacity, final int maxCapacity)
    {
        this.maxCapacity = BitUtil.findNextPositivePowerOfTwo(maxCapacity);
        allocate(BitUtil.findNextPositivePowerOfTwo(Math.min(initialCapacity, this.maxCapacity)));
    }

    private void allocate(final int capacity)
    {
        buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity, 64));
        mask = capacity - 1;
    }

    /**
     * Append a frame.
     *
     * @param seq    its stream position.
     * @param route  nodes it goes to.
     * @param src    frame bytes.
     * @param offset frame start.
     * @param length frame length.
     * @return the record's position, or -1 when the log is full at its maximum size.
     */
    long append(final long seq, final long route, final DirectBuffer src, final int offset, final int length)
    {
        final int recordLength = BitUtil.align(HEADER + length, 8);
        if (!ensure(recordLength))
        {
            return -1;
        }
        final int capacity = mask + 1;
        int index = (int)(tail & mask);
        if (index + recordLength > capacity)
        {
            final int gap = capacity - index;
            buffer.putInt(index, gap);
            buffer.putInt(index + 4, PADDING);
            tail += gap;
            index = 0;
        }
        final long position = tail;
        buffer.putInt(index, recordLength);
        buffer.putInt(index + 4, length);
        buffer.putLong(index + 8, seq);
        buffer.putLong(index + 16, route);
        buffer.putBytes(index + HEADER, src, offset, length);
        tail += recordLength;
        if (end - first > indexMask)
        {
            growIndex();
        }
        final int slot = (int)(end & indexMask) << 1;
        this.index[slot] = position;
        this.index[slot + 1] = seq;
        end++;
        return position;
    }

    private void growIndex()
    {
        final long[] grown = new long[index.length << 1];
        final int grownMask = (grown.length >> 1) - 1;
        for (long r = first; r < end; r++)
        {
            final int from = (int)(r & indexMask) << 1;
            final int to = (int)(r & grownMask) << 1;
            grown[to] = index[from];
            grown[to + 1] = index[from + 1];
        }
        index = grown;
        indexMask = grownMask;
    }

    private long positionOf(final long record)
    {
        return index[(int)(record & indexMask) << 1];
    }

    private long seqOf(final long record)
    {
        return index[((int)(record & indexMask) << 1) + 1];
    }

    /** @return the number of the first record from {@code from} whose seq is above {@code seq}, or {@link #end}. */
    private long firstRecordAfterSeq(final long from, final long seq)
    {
        long low = from;
        long high = end;
        while (low < high)
        {
            final long mid = (low + high) >>> 1;
            if (seqOf(mid) <= seq)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    /** @return the number of the first record from {@code from} at or after {@code position}, or {@link #end}. */
    private long firstRecordAt(final long from, final long position)
    {
        long low = from;
        long high = end;
        while (low < high)
        {
            final long mid = (low + high) >>> 1;
            if (positionOf(mid) < position)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    private long positionOrTail(final long record)
    {
        return record < end ? positionOf(record) : tail;
    }

    /** Room for one record, padding at the end of the ring included; grows the ring when it must. */
    private boolean ensure(final int recordLength)
    {
        final int capacity = mask + 1;
        final long used = tail - head;
        final int index = (int)(tail & mask);
        final int needed = index + recordLength > capacity ? capacity - index + recordLength : recordLength;
        if (used + needed <= capacity)
        {
            return true;
        }
        int grown = capacity;
        while (grown < maxCapacity && grown < used + needed)
        {
            grown <<= 1;
        }
        if (grown == capacity)
        {
            return false;
        }
        grow(grown);
        return ensure(recordLength);
    }

    /**
     * Move the records to a larger ring at the same positions: a larger power of two only adds boundaries that
     * were boundaries before, so no record straddles one, and every position held by a cursor stays valid.
     */
    private void grow(final int capacity)
    {
        final UnsafeBuffer old = buffer;
        final int oldMask = mask;
        allocate(capacity);
        for (long p = head; p < tail; )
        {
            final int index = (int)(p & oldMask);
            final int recordLength = old.getInt(index);
            buffer.putBytes((int)(p & mask), old, index, recordLength);
            p += recordLength;
        }
    }

    /**
     * @return position of the oldest record (or {@link #tail()} when empty).
     */
    long head()
    {
        skipPadding();
        return head;
    }

    /**
     * @return position after the newest record.
     */
    long tail()
    {
        return tail;
    }

    /**
     * @return true when the log holds no record.
     */
    boolean isEmpty()
    {
        return end == first;
    }

    /**
     * @return bytes held, padding included.
     */
    long bytes()
    {
        return tail - head;
    }

    /**
     * @return records held.
     */
    long records()
    {
        return end - first;
    }

    /**
     * @param position a record position, or a padding position before one.
     * @return the position of the record itself (skipping padding), or {@link #tail()}.
     */
    long recordAt(final long position)
    {
        long p = position;
        while (p < tail && buffer.getInt((int)(p & mask) + 4) == PADDING)
        {
            p += buffer.getInt((int)(p & mask));
        }
        return p;
    }

    /**
     * @param position a record position.
     * @return the position of the next record, or {@link #tail()}.
     */
    long next(final long position)
    {
        return recordAt(position + buffer.getInt((int)(position & mask)));
    }

    /**
     * @param position a record position.
     * @return its stream position.
     */
    long seq(final long position)
    {
        return buffer.getLong((int)(position & mask) + 8);
    }

    /**
     * @param position a record position.
     * @return the nodes it is routed to.
     */
    long route(final long position)
    {
        return buffer.getLong((int)(position & mask) + 16);
    }

    /**
     * @param position a record position.
     * @return offset of the frame in {@link #buffer()}.
     */
    int frameOffset(final long position)
    {
        return (int)(position & mask) + HEADER;
    }

    /**
     * @param position a record position.
     * @return the frame's length.
     */
    int frameLength(final long position)
    {
        return buffer.getInt((int)(position & mask) + 4);
    }

    /**
     * @return the buffer {@link #frameOffset} refers to; valid until the next append.
     */
    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * @param seq a stream position.
     * @return the position of the first record whose seq is above {@code seq}, or {@link #tail()}.
     */
    long firstAfter(final long seq)
    {
        return positionOrTail(firstRecordAfterSeq(first, seq));
    }

    /**
     * Where a walk from {@code from} over the records whose seq is at most {@code seq} stops, never past
     * {@code limit}: the same as {@code p = recordAt(from); while (p < limit && p < tail() && seq(p) <= seq) p =
     * next(p);}, without reading the records.
     *
     * @param from  a position at or after {@link #head()}.
     * @param seq   stream position through which the walk goes.
     * @param limit the walk stops at the first record at or after it.
     * @return the position of the first record at or after {@code from} whose seq is above {@code seq} or that is
     *         at or after {@code limit}, or {@link #tail()}.
     */
    long firstAfter(final long seq, final long from, final long limit)
    {
        final long start = firstRecordAt(first, from);
        return positionOrTail(Math.min(firstRecordAfterSeq(start, seq), firstRecordAt(start, limit)));
    }

    /**
     * @return the seq of the oldest record, or -1 when empty.
     */
    long headSeq()
    {
        return end > first ? seqOf(first) : -1;
    }

    /**
     * Drop the oldest records while their seq is at most {@code seq} and they are before {@code limit}.
     *
     * @param seq   stream position through which records may go.
     * @param limit a position no record at or after which may go (a cursor still needs it).
     */
    void discardThrough(final long seq, final long limit)
    {
        if (first < end && seqOf(first) <= seq && positionOf(first) < limit)
        {
            final long last = end - 1;
            final long second = first + 1;
            if (seqOf(last) <= seq && positionOf(last) < limit)
            {
                first = end; // everything acknowledged (the usual case once a burst is over): no search
            }
            else if (seqOf(second) > seq || positionOf(second) >= limit)
            {
                first = second; // only the oldest goes (a submission back in the order, one at a time): no search
            }
            else
            {
                first = Math.min(firstRecordAfterSeq(second, seq), firstRecordAt(second, limit));
            }
            head = positionOrTail(first);
        }
        skipPadding();
    }

    /**
     * Drop every record; positions keep increasing.
     */
    void clear()
    {
        head = tail;
        first = end;
    }

    private void skipPadding()
    {
        while (head < tail && buffer.getInt((int)(head & mask) + 4) == PADDING)
        {
            head += buffer.getInt((int)(head & mask));
        }
    }
}
