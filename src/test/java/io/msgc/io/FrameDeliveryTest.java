package io.msgc.io;

import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How frames reach the handler: never twice, even when a handler throws; at most {@code frameLimit} per
 * connection per turn, with the start of each turn rotating over the ready connections.
 */
class FrameDeliveryTest
{
    private final Map<Connection, List<Long>> received = new HashMap<>();
    private final List<Connection> order = new ArrayList<>();
    private final List<String> closed = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();
    private long throwOn = -1;

    private final FrameHandler handler = new PollerFixture.Handler()
    {
        public void onFrame(
            final Connection connection, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            final long sequence = PollerFixture.sequence(buffer, offset);
            received.computeIfAbsent(connection, c -> new ArrayList<>()).add(sequence);
            order.add(connection);
            if (sequence == throwOn)
            {
                throw new IllegalStateException("handler bug at frame " + sequence);
            }
        }

        public void onClosed(final Connection connection, final String reason)
        {
            closed.add(reason);
        }
    };

    private List<Long> received(final Connection connection)
    {
        return received.getOrDefault(connection, List.of());
    }

    @Test
    void aHandlerExceptionClosesThatConnectionOnlyAndNoFrameArrivesTwice() throws Exception
    {
        try (PollerFixture fixture = new PollerFixture(new Poller(), handler))
        {
            fixture.poller.errorHandler(errors::add);
            final Socket bad = fixture.connect();
            final Socket good = fixture.connect();
            final Connection badConnection = fixture.accepted.get(0);
            final Connection goodConnection = fixture.accepted.get(1);
            throwOn = 3;

            // five frames in one write: one read, one batch; the handler throws on the third
            bad.getOutputStream().write(PollerFixture.frames(1, 5));
            fixture.pollUntil("the failing connection closed", () -> !closed.isEmpty());
            good.getOutputStream().write(PollerFixture.frames(10, 12));
            fixture.pollUntil("the other connection served", () -> received(goodConnection).size() == 3);

            assertEquals(List.of(1L, 2L, 3L), received(badConnection), "frames before the failure once, none after");
            assertEquals(1, errors.size());
            assertTrue(closed.get(0).startsWith("frame handler failed: java.lang.IllegalStateException: " +
                "handler bug at frame 3"), closed.get(0));
            assertTrue(badConnection.isClosed());
            assertThrows(EOFException.class, () -> PollerFixture.readFrame(bad));
            assertEquals(List.of(10L, 11L, 12L), received(goodConnection));
        }
    }

    @Test
    void aFloodingConnectionGetsAtMostTheFrameLimitPerTurnAndTheOtherIsServedInTheSameTurn() throws Exception
    {
        try (PollerFixture fixture = new PollerFixture(new Poller(), handler))
        {
            fixture.poller.frameLimit(4);
            final Socket flooder = fixture.connect();
            final Socket quiet = fixture.connect();
            final Connection flooding = fixture.accepted.get(0);
            final Connection other = fixture.accepted.get(1);

            flooder.getOutputStream().write(PollerFixture.frames(1, 200));
            fixture.pollUntil("the flood starts", () -> !received(flooding).isEmpty());
            // the flood is buffered now: the other connection's frame comes within the turn it is read in
            quiet.getOutputStream().write(PollerFixture.frames(1000, 1000));
            int turns = 0;
            while (received(other).isEmpty() && turns < 1000)
            {
                final int before = received(flooding).size();
                fixture.poller.poll(1);
                turns++;
                assertTrue(received(flooding).size() - before <= 4, "flooder got more than 4 frames in a turn");
            }
            assertEquals(List.of(1000L), received(other));
            assertTrue(received(flooding).size() < 200, "the other frame waited for the whole flood");

            // the rest of the flood comes turn by turn, with no new bytes on the socket, in order
            while (received(flooding).size() < 200)
            {
                final int before = received(flooding).size();
                fixture.poller.poll(0);
                final int delivered = received(flooding).size() - before;
                assertTrue(delivered > 0 && delivered <= 4, "frames per turn: " + delivered);
            }
            for (int i = 0; i < 200; i++)
            {
                assertEquals(i + 1, received(flooding).get(i));
            }
        }
    }

    @Test
    void theFirstConnectionServedRotatesFromTurnToTurn() throws Exception
    {
        try (PollerFixture fixture = new PollerFixture(new Poller(), handler))
        {
            fixture.poller.frameLimit(1);
            final List<Socket> sockets = List.of(fixture.connect(), fixture.connect(), fixture.connect());
            for (final Socket socket : sockets)
            {
                socket.getOutputStream().write(PollerFixture.frames(1, 50));
            }
            fixture.pollUntil("every connection is backlogged", () -> received.size() == 3);
            final List<Connection> firsts = new ArrayList<>();
            for (int turn = 0; turn < 6; turn++)
            {
                order.clear();
                fixture.poller.poll(0);
                assertEquals(3, order.size(), "one frame from each connection per turn");
                firsts.add(order.get(0));
            }
            assertNotEquals(firsts.get(0), firsts.get(1));
            assertNotEquals(firsts.get(1), firsts.get(2));
            assertTrue(firsts.containsAll(fixture.accepted), "every connection is served first in some turn");
        }
    }
}
