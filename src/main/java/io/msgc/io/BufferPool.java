package io.msgc.io;

import org.agrona.BufferUtil;
import org.agrona.collections.ArrayUtil;

import java.nio.ByteBuffer;

/**
 * The direct memory of one {@link Poller}'s connection buffers: power-of-two chunks from {@link #MIN_CHUNK} to
 * {@link #MAX_CHUNK}, recycled through one free list per size, under a byte budget.
 * <p>
 * The budget bounds every direct byte the pool holds, chunks in use and chunks kept free alike: a new chunk that
 * would pass it first frees kept chunks, and is refused when that is not enough. The last quarter of the budget
 * is a reserve that only connections allowed to {@link Connection#useReserve use it} (peer links) may take, so
 * clients filling their buffers cannot starve the links between nodes. Acquire and release do not allocate once
 * the free lists have grown; they run when a buffer grows or shrinks, never per message.
 * Single-threaded: only the poller's thread uses it.
 */
public final class BufferPool
{
    /** Smallest chunk: what a buffer starts at. */
    public static final int MIN_CHUNK = 4096;
    /** Largest chunk. */
    public static final int MAX_CHUNK = 1 << 30;
    /** Most bytes kept in the free lists of an unbounded pool. */
    private static final long MAX_KEPT_FREE = 64L * 1024 * 1024;
    private static final int MIN_SHIFT = Integer.numberOfTrailingZeros(MIN_CHUNK);
    private static final int MAX_SHIFT = Integer.numberOfTrailingZeros(MAX_CHUNK);

    private final long budget;
    private final long reserve;
    private final long maxKeptFree;
    private final ByteBuffer[][] free = new ByteBuffer[MAX_SHIFT + 1][];
    private final int[] freeCount = new int[MAX_SHIFT + 1];
    private long inUse;
    private long keptFree;
    private long refusals;

    /**
     * @param budget most direct bytes the pool may hold; {@link Long#MAX_VALUE} for no limit.
     */
    public BufferPool(final long budget)
    {
        if (budget < MIN_CHUNK)
        {
            throw new IllegalArgumentException("buffer budget " + budget + " is below one chunk of " + MIN_CHUNK);
        }
        this.budget = budget;
        reserve = budget == Long.MAX_VALUE ? 0 : budget / 4;
        maxKeptFree = Math.min(MAX_KEPT_FREE, budget / 4);
        for (int shift = MIN_SHIFT; shift <= MAX_SHIFT; shift++)
        {
            free[shift] = new ByteBuffer[4];
        }
    }

    /**
     * Take a chunk of at least {@code minCapacity} bytes, cleared.
     *
     * @param minCapacity  bytes needed.
     * @param useReserve   true to allow the reserve (peer links).
     * @return the chunk (capacity a power of two, at least {@link #MIN_CHUNK}), or null when the budget cannot
     *         give it.
     */
    public ByteBuffer acquire(final int minCapacity, final boolean useReserve)
    {
        if (minCapacity > MAX_CHUNK)
        {
            refusals++;
            return null;
        }
        final int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, minCapacity) - 1));
        final int size = 1 << shift;
        final long limit = useReserve ? budget : budget - reserve;
        if (inUse + size > limit)
        {
            refusals++;
            return null;
        }
        ByteBuffer chunk;
        if (freeCount[shift] > 0)
        {
            final int at = --freeCount[shift];
            chunk = free[shift][at];
            free[shift][at] = null;
            keptFree -= size;
        }
        else
        {
            // held = inUse + keptFree: drop kept chunks until the new one fits the budget
            for (int s = MAX_SHIFT; s >= MIN_SHIFT && inUse + keptFree + size > budget; s--)
            {
                while (freeCount[s] > 0 && inUse + keptFree + size > budget)
                {
                    dropFree(s);
                }
            }
            try
            {
                chunk = ByteBuffer.allocateDirect(size);
            }
            catch (final OutOfMemoryError ex)
            {
                // the JVM's direct memory limit is lower than the budget: refuse, as for the budget
                refusals++;
                return null;
            }
        }
        inUse += size;
        chunk.clear();
        return chunk;
    }

    /**
     * Give a chunk back; it is kept for reuse, or freed at once when enough are kept.
     *
     * @param chunk a chunk from {@link #acquire}.
     */
    public void release(final ByteBuffer chunk)
    {
        final int size = chunk.capacity();
        final int shift = Integer.numberOfTrailingZeros(size);
        inUse -= size;
        if (keptFree + size <= maxKeptFree)
        {
            if (freeCount[shift] == free[shift].length)
            {
                free[shift] = ArrayUtil.ensureCapacity(free[shift], freeCount[shift] * 2);
            }
            free[shift][freeCount[shift]++] = chunk;
            keptFree += size;
        }
        else
        {
            BufferUtil.free(chunk);
        }
    }

    private void dropFree(final int shift)
    {
        final int at = --freeCount[shift];
        final ByteBuffer chunk = free[shift][at];
        free[shift][at] = null;
        keptFree -= chunk.capacity();
        BufferUtil.free(chunk);
    }

    /**
     * Free every kept chunk now, instead of when the garbage collector runs.
     */
    public void freeKept()
    {
        for (int shift = MIN_SHIFT; shift <= MAX_SHIFT; shift++)
        {
            while (freeCount[shift] > 0)
            {
                dropFree(shift);
            }
        }
    }

    /**
     * @return the budget in bytes ({@link Long#MAX_VALUE} when unbounded).
     */
    public long budget()
    {
        return budget;
    }

    /**
     * @return bytes in chunks that connections hold now.
     */
    public long inUse()
    {
        return inUse;
    }

    /**
     * @return bytes held: in use plus kept free.
     */
    public long held()
    {
        return inUse + keptFree;
    }

    /**
     * @return chunks refused so far because the budget (or the JVM's direct memory) could not give them.
     */
    public long refusals()
    {
        return refusals;
    }
}
