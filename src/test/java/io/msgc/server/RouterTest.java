package io.msgc.server;

import io.msgc.admin.NodeCounters;
import io.msgc.io.FrameSink;
import io.msgc.wire.DataFrame;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.ServiceType;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The router on node0 of three nodes, with members alice and bob in group {@code g} and {@code h} (node2 has a
 * member in {@code g} too): a client's frame is validated once, in {@link Router#check}; routing then finds the
 * members a frame reaches in one pass and, under flow control, delivers a reliable frame to all of them or none.
 */
class RouterTest
{
    private static final int MAX_FRAME = 4096;

    /** A member's outbound buffer: keeps what it takes, up to a limit. */
    private static final class Sink implements FrameSink
    {
        final List<byte[]> frames = new ArrayList<>();
        final int limit;
        int pending;

        Sink(final int limit)
        {
            this.limit = limit;
        }

        public boolean offer(final DirectBuffer buffer, final int offset, final int length)
        {
            if (pending + length > limit)
            {
                return false;
            }
            final byte[] frame = new byte[length];
            buffer.getBytes(offset, frame);
            frames.add(frame);
            pending += length;
            return true;
        }

        public int pendingBytes()
        {
            return pending;
        }

        public int writeLimit()
        {
            return limit;
        }
    }

    private final NodeNames nodeNames = new NodeNames("node0", "node1", "node2");
    private final NameTable<Group> groups = new NameTable<>();
    private final NameTable<ClientSession> sessions = new NameTable<>();
    private final List<ClientSession> cut = new ArrayList<>();
    private final Router router = new Router(0, MAX_FRAME, nodeNames, groups, sessions, NodeCounters.inMemory(),
        cut::add);
    private final Sink aliceOut = new Sink(64 << 10);
    private final Sink bobOut = new Sink(64 << 10);
    private final ClientSession alice = session("alice", aliceOut);
    private final ClientSession bob = session("bob", bobOut);
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[MAX_FRAME]);

    RouterTest()
    {
        final Group g = new Group("g", 0);
        g.add(new Group.Member(0, "alice", alice.memberId, alice));
        g.add(new Group.Member(0, "bob", bob.memberId, bob));
        g.add(new Group.Member(2, "carol", "#carol#node2", null));
        groups.add(g);
        final Group h = new Group("h", 0);
        h.add(new Group.Member(0, "alice", alice.memberId, alice));
        groups.add(h);
    }

    private ClientSession session(final String name, final Sink out)
    {
        final ClientSession session = new ClientSession(name, "#" + name + "#node0", null, out, 0);
        sessions.add(session);
        return session;
    }

    private int encode(final int service, final String sender, final String... destinations)
    {
        return DataFrame.encode(frame, 0, 7, service, 1, sender, destinations, destinations.length,
            new UnsafeBuffer(new byte[64]), 0, 64);
    }

    @Test
    void checkRefusesAFrameWithABadDestinationAndRoutesNothing()
    {
        final int length = encode(ServiceType.FIFO, alice.memberId, "g");
        frame.putByte(DataFrame.SENDER_OFFSET + 1 + alice.memberIdBytes.length + 1, (byte)'#'); // "g" -> "#"
        final String error = router.check(alice, frame, 0, length);
        assertNotNull(error);
        assertTrue(error.contains("destination 1"), error);
        assertEquals(0, aliceOut.frames.size() + bobOut.frames.size());
    }

    @Test
    void checkRefusesAFrameWhoseDestinationRunsPastItsEnd()
    {
        final int length = encode(ServiceType.FIFO, alice.memberId, "g");
        frame.putByte(DataFrame.SENDER_OFFSET + 1 + alice.memberIdBytes.length, (byte)100);
        assertNotNull(router.check(alice, frame, 0, length));
    }

    @Test
    void deliversOnceToEachMemberAndTellsTheOtherNodes()
    {
        final int length = encode(ServiceType.FIFO, alice.memberId, "g", "h");
        assertNull(router.check(alice, frame, 0, length));
        assertNull(router.deliverIfRoom(null, router.checkedBuffer(), router.checkedOffset(),
            router.checkedLength(), true));
        assertEquals(1L << 2, router.routed());
        assertEquals(1, aliceOut.frames.size(), "alice is in both groups: one copy");
        assertEquals(1, bobOut.frames.size());
        assertEquals(1L << 2, router.route(frame, 0, length));
    }

    @Test
    void selfDiscardSkipsTheSender()
    {
        final int length = encode(ServiceType.FIFO | ServiceType.SELF_DISCARD, alice.memberId, "g");
        assertNull(router.check(alice, frame, 0, length));
        assertNull(router.deliverIfRoom(null, frame, 0, length, true));
        assertEquals(0, aliceOut.frames.size());
        assertEquals(1, bobOut.frames.size());
    }

    @Test
    void aReliableFrameThatOneMemberHasNoRoomForGoesToNone()
    {
        final int length = encode(ServiceType.FIFO, alice.memberId, "g");
        assertNull(router.check(alice, frame, 0, length));
        bobOut.pending = bobOut.limit - bobOut.limit / 8 - length + 1; // past flow control's 7/8 of the buffer
        assertSame(bob, router.deliverIfRoom(null, frame, 0, length, true));
        assertEquals(0, aliceOut.frames.size(), "held whole: not delivered to alice ahead of bob");
        assertEquals(0, bobOut.frames.size());

        bobOut.pending = 0;
        assertNull(router.deliverIfRoom(null, frame, 0, length, true));
        assertEquals(1, aliceOut.frames.size());
        assertEquals(1, bobOut.frames.size());
        assertTrue(cut.isEmpty());
    }

    @Test
    void withoutFlowControlAMemberWithoutRoomIsCut()
    {
        final int length = encode(ServiceType.RELIABLE, alice.memberId, "g");
        assertNull(router.check(alice, frame, 0, length));
        bobOut.pending = bobOut.limit;
        assertNull(router.deliverIfRoom(null, frame, 0, length, false));
        assertEquals(1, aliceOut.frames.size());
        assertEquals(List.of(bob), cut);
        assertTrue(bob.closing);
    }

    @Test
    void anUnreliableFrameIsNeverHeldButDroppedPerMember()
    {
        final int length = encode(ServiceType.UNRELIABLE, alice.memberId, "g");
        assertNull(router.check(alice, frame, 0, length));
        bobOut.pending = bobOut.limit;
        assertNull(router.deliverIfRoom(null, frame, 0, length, true));
        assertEquals(1, aliceOut.frames.size());
        assertEquals(0, bobOut.frames.size());
        assertEquals(1, bob.droppedUnreliable);
        assertTrue(cut.isEmpty());
    }

    @Test
    void aFrameWhoseLayoutIsBrokenIsNotRoutedWithoutValidation()
    {
        final int length = encode(ServiceType.FIFO, alice.memberId, "g");
        frame.putByte(DataFrame.COUNT_OFFSET, (byte)3); // three destinations claimed, one written
        FrameHeader.write(frame, 0, length, FrameType.DATA, 0);
        assertNotNull(router.check(alice, frame, 0, length));
        assertThrows(IllegalStateException.class, () -> router.deliverIfRoom(null, frame, 0, length, true));
        assertThrows(IllegalStateException.class, () -> router.route(frame, 0, length));
        assertEquals(0, aliceOut.frames.size() + bobOut.frames.size());
    }
}
