package io.msgc.io;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A close asked for inside a loop turn runs at the end of the turn, never nested in the loop that asked: the
 * pattern of a group view sent to every member from one shared scratch buffer, where one member overflows and
 * its disconnect re-encodes the same buffer.
 */
class DeferredCloseTest
{
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[PollerFixture.FRAME]);
    private final List<Connection> receivers = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private Connection source;
    private Connection slow;
    private Connection cascadeFrom;
    private Connection cascadeTo;
    private boolean inLoop;
    private boolean closedInsideLoop;
    private boolean offerAfterClose = true;
    private boolean closedRightAway;

    private final FrameHandler handler = new PollerFixture.Handler()
    {
        public void onFrame(
            final Connection connection, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            if (connection != source)
            {
                return;
            }
            // a view for every receiver, from one shared buffer
            inLoop = true;
            PollerFixture.encode(scratch, 0, 100);
            for (final Connection receiver : receivers)
            {
                if (receiver == slow)
                {
                    receiver.close("slow consumer");
                    closedRightAway = receiver.isClosed();
                    offerAfterClose = receiver.offer(scratch, 0, PollerFixture.FRAME);
                    continue;
                }
                receiver.offer(scratch, 0, PollerFixture.FRAME);
            }
            inLoop = false;
        }

        public void onClosed(final Connection connection, final String reason)
        {
            events.add("start " + reason);
            if (connection == slow)
            {
                closedInsideLoop = inLoop;
                // the disconnect view re-encodes the shared buffer, as GroupService does
                PollerFixture.encode(scratch, 0, 200);
                for (final Connection receiver : receivers)
                {
                    if (!receiver.isClosed())
                    {
                        receiver.offer(scratch, 0, PollerFixture.FRAME);
                    }
                }
            }
            if (connection == cascadeFrom)
            {
                cascadeTo.close("cascade");
            }
            events.add("end " + reason);
        }
    };

    @Test
    void closeInsideAReceiverLoopRunsAfterTheLoopAndOtherStreamsStayIntact() throws Exception
    {
        try (PollerFixture fixture = new PollerFixture(new Poller(), handler))
        {
            final Socket sourceSocket = fixture.connect();
            source = fixture.accepted.get(0);
            final Socket slowSocket = fixture.connect();
            final Socket healthy1 = fixture.connect();
            final Socket healthy2 = fixture.connect();
            receivers.addAll(fixture.accepted.subList(1, 4));
            slow = receivers.get(0);

            sourceSocket.getOutputStream().write(PollerFixture.frames(1, 1));
            fixture.pollUntil("slow member closed", () -> events.contains("end slow consumer"));

            for (final Socket healthy : List.of(healthy1, healthy2))
            {
                // the view, then the disconnect view: each once, each intact
                assertEquals(100, PollerFixture.sequence(PollerFixture.readFrame(healthy), 0));
                assertEquals(200, PollerFixture.sequence(PollerFixture.readFrame(healthy), 0));
            }
            assertFalse(closedInsideLoop, "onClosed ran nested inside the loop over receivers");
            assertTrue(closedRightAway, "isClosed() is true as soon as close() is called");
            assertFalse(offerAfterClose, "a closing connection refuses offers");
            assertThrows(EOFException.class, () -> PollerFixture.readFrame(slowSocket));
        }
    }

    @Test
    void closeOutsideATurnRunsBeforeItReturnsAndTheClosesItCausesFollowUnnested() throws Exception
    {
        try (PollerFixture fixture = new PollerFixture(new Poller(), handler))
        {
            fixture.connect();
            fixture.connect();
            cascadeFrom = fixture.accepted.get(0);
            cascadeTo = fixture.accepted.get(1);

            cascadeFrom.close("by owner");

            assertEquals(List.of("start by owner", "end by owner", "start cascade", "end cascade"), events);
            assertEquals(0, fixture.poller.connectionCount());
        }
    }
}
