package io.msgc.server;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retention log's discard and seq searches go through its index instead of walking the records: seeded random
 * appends (padding at the ring's end, growth of the ring and of the index), discards and searches, each checked
 * against a walk over the records themselves ({@code recordAt}, {@code next}, {@code seq}).
 */
class FrameLogTest
{
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[4096]);

    @Test
    void discardsAndSearchesAsAWalkOverTheRecordsWould()
    {
        for (final boolean constantSeq : new boolean[]{false, true})
        {
            final Random random = new Random(constantSeq ? 7 : 11);
            final FrameLog log = new FrameLog(1 << 10, 1 << 22);
            final List<long[]> held = new ArrayList<>(); // {position, seq}
            long seq = 0;
            for (int step = 0; step < 50_000; step++)
            {
                final int action = random.nextInt(100);
                if (action < 55 || held.isEmpty())
                {
                    seq += constantSeq ? 0 : 1 + random.nextInt(3);
                    final int length = random.nextInt(20) == 0 ? 200 + random.nextInt(3000) : 8 + random.nextInt(120);
                    frame.putLong(0, seq);
                    final long position = log.append(seq, 1L << (step & 3), frame, 0, length);
                    assertTrue(position >= 0);
                    assertEquals(seq, log.seq(position));
                    assertEquals(length, log.frameLength(position));
                    assertEquals(seq, log.buffer().getLong(log.frameOffset(position)));
                    held.add(new long[]{position, seq});
                }
                else
                {
                    final long throughSeq = pickSeq(random, held);
                    final long limit = pickPosition(random, log, held);
                    final long from = held.isEmpty() || random.nextInt(4) == 0 ? log.head() :
                        held.get(random.nextInt(held.size()))[0];
                    assertEquals(walk(log, Math.max(from, log.head()), throughSeq, limit),
                        log.firstAfter(throughSeq, Math.max(from, log.head()), limit), "step " + step);
                    assertEquals(walk(log, log.head(), throughSeq, Long.MAX_VALUE), log.firstAfter(throughSeq));
                    if (action < 90)
                    {
                        final long expectedHead = walk(log, log.head(), throughSeq, limit);
                        log.discardThrough(throughSeq, limit);
                        assertEquals(expectedHead, log.head(), "step " + step);
                        while (!held.isEmpty() && held.get(0)[0] < expectedHead)
                        {
                            held.remove(0);
                        }
                    }
                    else if (action < 91)
                    {
                        log.clear();
                        held.clear();
                    }
                }
                assertEquals(held.size(), log.records());
                assertEquals(held.isEmpty(), log.isEmpty());
                assertEquals(held.isEmpty() ? -1 : held.get(0)[1], log.headSeq());
                assertEquals(held.isEmpty() ? log.tail() : held.get(0)[0], log.head());
            }
        }
    }

    @Test
    void discardingEverythingAcknowledgedEmptiesTheLog()
    {
        final FrameLog log = new FrameLog(1 << 10, 1 << 20);
        for (long seq = 1; seq <= 1000; seq++)
        {
            log.append(seq, 1, frame, 0, 100);
        }
        log.discardThrough(1000, Long.MAX_VALUE);
        assertTrue(log.isEmpty());
        assertEquals(log.tail(), log.head());
        assertEquals(0, log.bytes());
        final long position = log.append(1001, 1, frame, 0, 100);
        assertEquals(position, log.head());
        assertEquals(1001, log.headSeq());
    }

    /** The reference: the walk the index replaces. */
    private static long walk(final FrameLog log, final long from, final long seq, final long limit)
    {
        long p = log.recordAt(from);
        while (p < limit && p < log.tail() && log.seq(p) <= seq)
        {
            p = log.next(p);
        }
        return p;
    }

    private static long pickSeq(final Random random, final List<long[]> held)
    {
        if (held.isEmpty() || random.nextInt(10) == 0)
        {
            return random.nextBoolean() ? -1 : Long.MAX_VALUE;
        }
        final long seq = held.get(random.nextInt(held.size()))[1];
        return seq + random.nextInt(3) - 1;
    }

    private static long pickPosition(final Random random, final FrameLog log, final List<long[]> held)
    {
        switch (random.nextInt(6))
        {
            case 0:
                return Long.MAX_VALUE;
            case 1:
                return log.tail();
            default:
                return held.isEmpty() ? log.tail() : held.get(random.nextInt(held.size()))[0];
        }
    }
}
