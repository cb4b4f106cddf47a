package io.msgc.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameCodecTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);

    @Test
    void helloRoundTrip()
    {
        final int length = HelloFrame.encode(buffer, 16, HelloFrame.ROLE_PEER, 0x1234L, -7L, "node2");
        assertEquals(FrameType.HELLO, FrameHeader.type(buffer, 16));
        assertEquals(FrameHeader.VERSION, FrameHeader.version(buffer, 16));
        assertEquals(length, FrameHeader.frameLength(buffer, 16));
        final HelloFrame hello = new HelloFrame();
        assertNull(hello.wrap(buffer, 16, length));
        assertEquals(HelloFrame.ROLE_PEER, hello.role());
        assertEquals(0x1234L, hello.incarnation());
        assertEquals(-7L, hello.digest());
        assertEquals("node2", hello.name());
    }

    @Test
    void helloWithBadRoleOrTruncatedNameIsRejected()
    {
        int length = HelloFrame.encode(buffer, 0, 9, 0, 0, "x");
        assertEquals("HELLO has unknown role 9 (1 peer, 2 client, 3 admin)", new HelloFrame().wrap(buffer, 0, length));
        length = HelloFrame.encode(buffer, 0, HelloFrame.ROLE_CLIENT, 0, 0, "alice");
        assertEquals("HELLO name length does not match the frame length", new HelloFrame().wrap(buffer, 0, length - 2));
        assertEquals("HELLO too short: 20 bytes, need at least 29", new HelloFrame().wrap(buffer, 0, 20));
    }

    @Test
    void welcomeRoundTrip()
    {
        final int length = WelcomeFrame.encode(buffer, 0, 99L, 2, 1 << 20, "node3", "#alice#node3");
        final WelcomeFrame welcome = new WelcomeFrame();
        assertNull(welcome.wrap(buffer, 0, length));
        assertEquals(99L, welcome.incarnation());
        assertEquals(2, welcome.nodeIndex());
        assertEquals("node3", welcome.node());
        assertEquals("#alice#node3", welcome.memberId());
    }

    @Test
    void reasonRoundTripAndNonAsciiIsReplaced()
    {
        final int length = ReasonFrame.encode(buffer, 0, FrameType.REJECT, ErrorCode.BAD_NAME, "bad name 'é'");
        final ReasonFrame reason = new ReasonFrame();
        assertNull(reason.wrap(buffer, 0, length));
        assertEquals(FrameType.REJECT, FrameHeader.type(buffer, 0));
        assertEquals(ErrorCode.BAD_NAME, reason.code());
        assertEquals("bad name '?'", reason.reason());
    }

    @Test
    void heartbeatRoundTrip()
    {
        final int length = HeartbeatFrame.encode(buffer, 0, 123456789L);
        final HeartbeatFrame heartbeat = new HeartbeatFrame();
        assertNull(heartbeat.wrap(buffer, 0, length));
        assertEquals(123456789L, heartbeat.timeMs());
        assertEquals("HEARTBEAT must be 16 bytes, got 12", heartbeat.wrap(buffer, 0, 12));
    }

    @Test
    void dataRoundTripWithSeveralDestinations()
    {
        final UnsafeBuffer payload = new UnsafeBuffer("hello world".getBytes());
        final int length = DataFrame.encode(buffer, 0, 0L, ServiceType.FIFO | ServiceType.SELF_DISCARD, 42,
            "#alice#node1", new String[]{"chat", "#bob#node2", "news"}, 3, payload, 0, payload.capacity());
        final DataFrame data = new DataFrame();
        assertNull(data.wrap(buffer, 0, length));
        assertEquals(ServiceType.FIFO | ServiceType.SELF_DISCARD, data.service());
        assertEquals(42, data.msgType());
        assertEquals("#alice#node1", data.sender());
        assertEquals(3, data.destinationCount());
        assertEquals("chat", data.destination(0));
        assertEquals("#bob#node2", data.destination(1));
        assertEquals("news", data.destination(2));
        assertEquals("hello world", buffer.getStringWithoutLengthAscii(data.payloadOffset(), data.payloadLength()));
    }

    @Test
    void dataWrappedAgainAfterValidationFindsTheSameFieldsAndNeverLeavesTheFrame()
    {
        final UnsafeBuffer payload = new UnsafeBuffer("hello world".getBytes());
        final int length = DataFrame.encode(buffer, 0, 0L, ServiceType.FIFO, 42,
            "#alice#node1", new String[]{"chat", "#bob#node2", "news"}, 3, payload, 0, payload.capacity());
        final DataFrame validated = new DataFrame();
        assertNull(validated.wrap(buffer, 0, length));
        final DataFrame again = new DataFrame();
        assertTrue(again.wrapValidated(buffer, 0, length));
        assertEquals(validated.destinationCount(), again.destinationCount());
        for (int i = 0; i < 3; i++)
        {
            assertEquals(validated.destination(i), again.destination(i));
        }
        assertEquals(validated.payloadOffset(), again.payloadOffset());
        assertEquals(validated.payloadLength(), again.payloadLength());
        // a frame cut anywhere inside its destinations, or claiming more of them than it holds, is refused
        final int destinationsEnd = validated.payloadOffset();
        for (int cut = 0; cut < destinationsEnd; cut++)
        {
            assertFalse(again.wrapValidated(buffer, 0, cut), "cut at " + cut);
            assertEquals(0, again.destinationCount());
        }
        buffer.putByte(DataFrame.COUNT_OFFSET, (byte)4);
        buffer.putByte(destinationsEnd, (byte)100);
        assertFalse(again.wrapValidated(buffer, 0, length));
        buffer.putByte(DataFrame.COUNT_OFFSET, (byte)0);
        assertFalse(again.wrapValidated(buffer, 0, length));
    }

    @Test
    void senderIsOnComparesTheNodePartOfTheSender()
    {
        final Random random = new Random(3);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        for (int round = 0; round < 20_000; round++)
        {
            final String node = randomName(random, 1 + random.nextInt(20));
            String nodePart = random.nextInt(3) == 0 ? randomName(random, 1 + random.nextInt(20)) : node;
            if (random.nextInt(3) == 0 && node.length() > 1)
            {
                // one byte different, anywhere
                final char[] chars = node.toCharArray();
                final int at = random.nextInt(chars.length);
                chars[at] = chars[at] == 'a' ? 'b' : 'a';
                nodePart = new String(chars);
            }
            final String sender = "#" + randomName(random, 1 + random.nextInt(10)) + "#" + nodePart;
            final int at = random.nextInt(64);
            final int length = DataFrame.encode(buffer, at, 0L, ServiceType.FIFO, 0, sender, new String[]{"g"}, 1,
                payload, 0, 16);
            assertNull(new DataFrame().wrap(buffer, at, length));
            assertEquals(sender.endsWith("#" + node), DataFrame.senderIsOn(buffer, at, node.getBytes()),
                sender + " on " + node);
        }
    }

    private static String randomName(final Random random, final int length)
    {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            b.append((char)('a' + random.nextInt(3)));
        }
        return b.toString();
    }

    @Test
    void dataValidationNamesTheProblem()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[0]);
        int length = DataFrame.encode(buffer, 0, 0L, 0x03, 0, "", new String[]{"g"}, 1, payload, 0, 0);
        assertTrue(new DataFrame().wrap(buffer, 0, length).startsWith("DATA has bad service word 0x3"));
        length = DataFrame.encode(buffer, 0, 0L, ServiceType.FIFO, 0, "", new String[]{"#nobody"}, 1, payload, 0, 0);
        assertEquals("DATA destination 1 '#nobody' is not a group name (1-127 printable ASCII, no leading '#') " +
            "nor a member id '#private#node'", new DataFrame().wrap(buffer, 0, length));
        length = DataFrame.encode(buffer, 0, 0L, ServiceType.FIFO, 0, "", new String[]{"a", "bb"}, 2, payload, 0, 0);
        assertEquals("DATA destination 2 of 2 runs past the frame end", new DataFrame().wrap(buffer, 0, length - 2));
        buffer.putByte(DataFrame.COUNT_OFFSET, (byte)0);
        assertEquals("DATA has 0 destinations; 1 to 100 allowed", new DataFrame().wrap(buffer, 0, length));
        buffer.putByte(DataFrame.COUNT_OFFSET, (byte)101);
        assertEquals("DATA has 101 destinations; 1 to 100 allowed", new DataFrame().wrap(buffer, 0, length));
    }

    @Test
    void membershipRoundTrip()
    {
        int at = MembershipFrame.encodeHead(buffer, 0, 77L, MembershipFrame.CAUSE_JOIN, 2, 1, 1, "chat");
        at = MembershipFrame.putName(buffer, at, "#a#node1");
        at = MembershipFrame.putName(buffer, at, "#b#node2");
        at = MembershipFrame.putName(buffer, at, "#b#node2");
        final int length = MembershipFrame.finish(buffer, 0, at);
        final MembershipFrame view = new MembershipFrame();
        assertNull(view.wrap(buffer, 0, length));
        assertEquals(77L, view.viewId());
        assertEquals(MembershipFrame.CAUSE_JOIN, view.cause());
        assertEquals("chat", view.group());
        assertEquals(1, view.myIndex());
        assertEquals(java.util.List.of("#a#node1", "#b#node2"), java.util.List.of(view.members()));
        assertEquals(java.util.List.of("#b#node2"), java.util.List.of(view.changed()));
        assertNotNull(view.wrap(buffer, 0, length - 1));
    }

    @Test
    void membershipWithBadCauseCountsOrIndexIsRejectedNotThrown()
    {
        final MembershipFrame view = new MembershipFrame();
        int at = MembershipFrame.encodeHead(buffer, 0, 1L, 9, 0, -1, 0, "g");
        assertEquals("MEMBERSHIP has unknown cause 9", view.wrap(buffer, 0, MembershipFrame.finish(buffer, 0, at)));
        // 70,000 members would have wrapped a uint16 count; a count larger than the frame is refused before looping
        at = MembershipFrame.encodeHead(buffer, 0, 1L, MembershipFrame.CAUSE_JOIN, 70_000, 0, 0, "g");
        assertEquals("MEMBERSHIP counts 70000 + 0 do not fit a frame of 34 bytes",
            view.wrap(buffer, 0, MembershipFrame.finish(buffer, 0, at)));
        at = MembershipFrame.encodeHead(buffer, 0, 1L, MembershipFrame.CAUSE_JOIN, 1, 1, 0, "g");
        at = MembershipFrame.putName(buffer, at, "#a#node1");
        assertEquals("MEMBERSHIP own index 1 is outside the 1 members",
            view.wrap(buffer, 0, MembershipFrame.finish(buffer, 0, at)));
    }

    @Test
    void eventRoundTripAndValidation()
    {
        final int length = EventFrame.encode(buffer, 0, FrameType.EVENT, 42, 7, EventFrame.OP_JOIN, 2, "chat", "alice");
        final EventFrame event = new EventFrame();
        assertNull(event.wrap(buffer, 0, length));
        assertEquals(42, event.seq());
        assertEquals(7, event.index());
        assertEquals(EventFrame.OP_JOIN, event.op());
        assertEquals(2, event.node());
        assertEquals("chat", event.group());
        assertEquals("alice", event.member());
        assertEquals(42, StreamFrame.seq(buffer, 0));
        final int disconnect = EventFrame.encode(
            buffer, 0, FrameType.EVENT_REQUEST, 1, 0, EventFrame.OP_DISCONNECT, 0, "", "bob");
        assertNull(event.wrap(buffer, 0, disconnect));
        assertEquals("", event.group());
        buffer.putByte(24, (byte)9);
        assertEquals("EVENT has unknown op 9", event.wrap(buffer, 0, disconnect));
        final int bad = EventFrame.encode(buffer, 0, FrameType.EVENT, 1, 2, EventFrame.OP_JOIN, 0, "#g", "bob");
        assertEquals("EVENT has a bad group name", event.wrap(buffer, 0, bad));
    }

    @Test
    void markersAndLinkStateRoundTrip()
    {
        final MarkFrame mark = new MarkFrame();
        int length = MarkFrame.encode(buffer, 0, FrameType.FLUSH_MARK, 9, 128);
        assertNull(mark.wrap(buffer, 0, length));
        assertEquals(9, mark.seq());
        assertEquals(128, mark.value());
        assertEquals("FLUSH_MARK must be 24 bytes, got 23", mark.wrap(buffer, 0, length - 1));
        final long[] processed = {5, 0, 77};
        length = LinkStateFrame.encode(buffer, 0, 1000, 11, 12, 64, 0b111, 5, processed, 3);
        final LinkStateFrame state = new LinkStateFrame();
        assertNull(state.wrap(buffer, 0, length));
        assertEquals(11, state.sent());
        assertEquals(12, state.received());
        assertEquals(64, state.viewId());
        assertEquals(0b111, state.alive());
        assertEquals(77, state.processed(2));
        assertEquals(5, state.heldEvent());
        assertEquals("LINK_STATE vector of 3 does not match the frame length", state.wrap(buffer, 0, length - 8));
        length = ViewChangeFrame.encode(buffer, 0, FrameType.FLUSH_OK, 65, 0b11, 64, 7, processed, 2);
        final ViewChangeFrame change = new ViewChangeFrame();
        assertNull(change.wrap(buffer, 0, length));
        assertEquals(65, change.proposal());
        assertEquals(0b11, change.nodes());
        assertEquals(64, change.value());
        assertEquals(2, change.count());
        assertEquals(7, change.heldEvent());
        assertEquals(0, change.vector(1));
        int at = StateFrame.begin(buffer, 0, 65);
        at = StateFrame.put(buffer, at, "g1", "alice");
        at = StateFrame.put(buffer, at, "g2", "bob");
        length = StateFrame.finish(buffer, 0, at, 2);
        final StateFrame stateFrame = new StateFrame();
        assertNull(stateFrame.wrap(buffer, 0, length));
        assertTrue(stateFrame.next());
        assertEquals("g1", stateFrame.group());
        assertEquals("alice", stateFrame.member());
        assertTrue(stateFrame.next());
        assertEquals("bob", stateFrame.member());
        assertFalse(stateFrame.next());
    }

    @Test
    void groupOpRejectsBadNames()
    {
        int length = GroupOpFrame.encode(buffer, 0, FrameType.JOIN, 0, "chat");
        final GroupOpFrame op = new GroupOpFrame();
        assertNull(op.wrap(buffer, 0, length));
        assertEquals("chat", op.group());
        length = GroupOpFrame.encode(buffer, 0, FrameType.JOIN, 0, "#private");
        assertEquals("bad group name '#private': 1-127 printable ASCII characters, not starting with '#'",
            op.wrap(buffer, 0, length));
        length = GroupOpFrame.encode(buffer, 0, FrameType.JOIN, 0, "has space");
        assertNotNull(op.wrap(buffer, 0, length));
    }

    @Test
    void nameRules()
    {
        assertTrue(NameRules.isPrivateName("alice.b-c_1"));
        assertTrue(!NameRules.isPrivateName("a".repeat(32)));
        assertTrue(!NameRules.isPrivateName("al ice"));
        assertTrue(NameRules.isNodeName("node-1"));
        assertTrue(!NameRules.isNodeName("Node1"));
        assertTrue(NameRules.isGroupName("g".repeat(127)));
        assertTrue(!NameRules.isGroupName("g".repeat(128)));
        assertTrue(!NameRules.isGroupName("#x"));
        final UnsafeBuffer id = new UnsafeBuffer("#alice#node1".getBytes());
        assertEquals(6, NameRules.memberIdSplit(id, 0, id.capacity()));
        final UnsafeBuffer bad = new UnsafeBuffer("#alice#".getBytes());
        assertEquals(-1, NameRules.memberIdSplit(bad, 0, bad.capacity()));
    }

    @Test
    void serviceTypes()
    {
        assertTrue(ServiceType.isValid(ServiceType.SAFE | ServiceType.SELF_DISCARD));
        assertTrue(!ServiceType.isValid(0));
        assertTrue(!ServiceType.isValid(ServiceType.FIFO | ServiceType.AGREED));
        assertTrue(!ServiceType.isValid(0x80 | ServiceType.FIFO));
        assertEquals("AGREED|SELF_DISCARD", ServiceType.name(ServiceType.AGREED | ServiceType.SELF_DISCARD));
        assertEquals(ServiceType.SAFE, ServiceType.parse("safe"));
    }
}
