package io.msgc.io;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connection buffers: pooled power-of-two chunks under a budget, none while a connection is silent, grown on
 * demand, given back after a second empty; growth past the budget is refused, never an OutOfMemoryError.
 */
class BufferMemoryTest
{
    private final CachedNanoClock nanoClock = new CachedNanoClock();
    private final CachedEpochClock epochClock = new CachedEpochClock();
    private final List<Long> received = new ArrayList<>();

    private final FrameHandler handler = new PollerFixture.Handler()
    {
        public void onFrame(
            final Connection connection, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            received.add(PollerFixture.sequence(buffer, offset));
        }
    };

    private void tickFor(final Poller poller, final long ms)
    {
        for (long t = 0; t < ms; t += Poller.TICK_MS)
        {
            nanoClock.advance(TimeUnit.MILLISECONDS.toNanos(Poller.TICK_MS));
            poller.poll(0);
        }
    }

    @Test
    void poolRoundsToPowersOfTwoReusesChunksAndKeepsTheReserveForLinks()
    {
        final BufferPool pool = new BufferPool(64 * 1024);
        final ByteBuffer small = pool.acquire(1, false);
        assertEquals(BufferPool.MIN_CHUNK, small.capacity());
        assertEquals(8192, pool.acquire(5000, false).capacity());
        pool.release(small);
        assertSame(small, pool.acquire(100, false), "a released chunk is reused");

        // 64 KiB budget, 16 KiB of it reserved: a client may hold 48 KiB, a peer link the rest
        assertEquals(12 * 1024, pool.inUse());
        assertEquals(32768, pool.acquire(32768, false).capacity());
        assertNull(pool.acquire(8192, false), "past the client share");
        assertEquals(8192, pool.acquire(8192, true).capacity());
        assertNull(pool.acquire(16384, true), "past the budget");
        assertEquals(2, pool.refusals());
        assertTrue(pool.held() <= pool.budget());
    }

    @Test
    void aSilentConnectionHoldsNoBufferAndAnIdleOneGivesItsBack() throws Exception
    {
        final Poller poller = new Poller(nanoClock, epochClock, Long.MAX_VALUE);
        try (PollerFixture fixture = new PollerFixture(poller, handler))
        {
            final Socket socket = fixture.connect();
            final Connection connection = fixture.accepted.get(0);
            assertEquals(0, connection.bufferBytes(), "nothing before the first byte");

            socket.getOutputStream().write(PollerFixture.frames(1, 1));
            fixture.pollUntil("frame", () -> received.size() == 1);
            assertEquals(BufferPool.MIN_CHUNK, connection.bufferBytes());

            // a large frame grows the read buffer to fit it
            final UnsafeBuffer big = new UnsafeBuffer(new byte[100_000]);
            PollerFixture.encode(big, 0, 2);
            io.msgc.wire.FrameHeader.write(big, 0, big.capacity(), io.msgc.wire.FrameType.HEARTBEAT, 0);
            socket.getOutputStream().write(big.byteArray());
            fixture.pollUntil("big frame", () -> received.size() == 2);
            assertEquals(131072, connection.bufferBytes());

            // replies grow the write buffer
            for (int i = 0; i < 10; i++)
            {
                assertTrue(connection.offer(big, 0, 10_000));
            }
            assertTrue(connection.bufferBytes() >= 131072 + 100_000);
            poller.poll(0);
            final byte[] drain = new byte[100_000];
            int read = 0;
            while (read < 100_000)
            {
                read += socket.getInputStream().read(drain, 0, drain.length);
            }
            fixture.pollUntil("written", () -> connection.pendingBytes() == 0);

            tickFor(poller, 1000 + Poller.TICK_MS);
            assertEquals(0, connection.bufferBytes(), "buffers go back to the pool after a second empty");
            assertEquals(0, poller.bufferPool().inUse());

            socket.getOutputStream().write(PollerFixture.frames(3, 3));
            fixture.pollUntil("frame after idle", () -> received.size() == 3);
            assertEquals(BufferPool.MIN_CHUNK, connection.bufferBytes());
        }
    }

    @Test
    void pastTheBudgetOffersFailAndReadsWaitUntilMemoryIsFree() throws Exception
    {
        // 48 KiB for clients: twelve 4 KiB read buffers
        final Poller poller = new Poller(nanoClock, epochClock, 64 * 1024);
        try (PollerFixture fixture = new PollerFixture(poller, handler))
        {
            final List<Socket> sockets = new ArrayList<>();
            for (int i = 0; i < 13; i++)
            {
                sockets.add(fixture.connect());
                sockets.get(i).getOutputStream().write(PollerFixture.frames(i, i));
            }
            fixture.pollUntil("twelve frames", () -> received.size() == 12);
            for (int i = 0; i < 20; i++)
            {
                poller.poll(1);
            }
            assertEquals(12, received.size(), "the thirteenth read waits for memory");
            assertEquals(48 * 1024, poller.bufferPool().inUse());
            assertTrue(poller.bufferPool().refusals() > 0);

            // no memory to queue a reply either: the offer is refused, as over the write limit
            final Connection first = fixture.accepted.get(0);
            assertFalse(first.offer(new UnsafeBuffer(new byte[16]), 0, 16));

            // one connection goes away: its memory lets the waiting read go on at the next tick
            first.close("done");
            tickFor(poller, Poller.TICK_MS);
            fixture.pollUntil("the waiting frame", () -> received.size() == 13);
            assertTrue(poller.bufferPool().held() <= 64 * 1024);
        }
    }
}
