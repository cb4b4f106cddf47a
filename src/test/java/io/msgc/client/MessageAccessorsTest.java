package io.msgc.client;

import io.msgc.wire.DataFrame;
import io.msgc.wire.MembershipFrame;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The flyweights handed to a handler: a message's sender and groups can be read without allocation, and a view's
 * cause never throws, whatever byte the frame carries.
 */
class MessageAccessorsTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);

    private Message message(final String sender, final String... groups)
    {
        final UnsafeBuffer payload = new UnsafeBuffer("hello".getBytes(StandardCharsets.US_ASCII));
        final int length = DataFrame.encode(buffer, 16, 7L, ServiceType.FIFO, 3, sender, groups, groups.length,
            payload, 0, payload.capacity());
        final DataFrame frame = new DataFrame();
        assertNull(frame.wrap(buffer, 16, length));
        final Message message = new Message(frame);
        message.wrapPayload();
        return message;
    }

    @Test
    void senderAndGroupsWithoutStrings()
    {
        final Message m = message("#alice#node1", "orders", "#bob#node2");
        assertTrue(m.senderEquals("#alice#node1"));
        assertFalse(m.senderEquals("#alice#node2"));
        assertFalse(m.senderEquals("#alice#node1x"));
        assertTrue(m.senderEquals(new StringBuilder("#alice#node1")));
        assertEquals("#alice#node1", m.buffer().getStringWithoutLengthAscii(m.senderOffset(), m.senderLength()));
        assertEquals(2, m.groupCount());
        assertTrue(m.groupEquals(0, "orders"));
        assertTrue(m.groupEquals(1, "#bob#node2"));
        assertFalse(m.groupEquals(0, "order"));
        assertEquals("orders", m.buffer().getStringWithoutLengthAscii(m.groupOffset(0), m.groupLength(0)));
        final StringBuilder sb = new StringBuilder();
        m.appendSender(sb).append(" -> ");
        m.appendGroup(0, sb).append(',');
        m.appendGroup(1, sb);
        assertEquals("#alice#node1 -> orders,#bob#node2", sb.toString());
        assertEquals(List.of("#alice#node1", "orders"), List.of(m.sender(), m.group(0)));
        assertThrows(IndexOutOfBoundsException.class, () -> m.groupEquals(2, "x"));
        assertThrows(IndexOutOfBoundsException.class, () -> m.group(-1));
    }

    @Test
    void theAccessorsAllocateNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final Message m = message("#alice#node1", "orders", "#bob#node2");
        final String alice = "#alice#node1";
        final String orders = "orders";
        final StringBuilder sb = new StringBuilder(256);
        long sum = 0;
        for (int round = 0; round < 3; round++)
        {
            final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 100_000; i++)
            {
                sb.setLength(0);
                m.appendSender(sb);
                m.appendGroup(1, sb);
                sum += sb.length() + m.senderOffset() + m.senderLength() + m.groupOffset(0) + m.groupLength(1) +
                    (m.senderEquals(alice) ? 1 : 0) + (m.groupEquals(0, orders) ? 1 : 0);
            }
            final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            if (round == 2)
            {
                // 100,000 calls of each: anything per call would be megabytes
                assertTrue(allocated < 16 * 1024, "allocated " + allocated + " bytes");
            }
        }
        assertTrue(sum > 0);
    }

    @Test
    void aViewNeverThrowsOnItsCause()
    {
        final MembershipFrame frame = new MembershipFrame();
        final MembershipView view = new MembershipView(frame);
        final int end = MembershipFrame.encodeHead(buffer, 0, 5L, MembershipFrame.CAUSE_TRANSITIONAL, 0, -1, 0, "g");
        MembershipFrame.finish(buffer, 0, end);
        assertNull(frame.wrap(buffer, 0, end));
        assertEquals(MembershipView.Cause.TRANSITIONAL, view.cause());
        assertEquals(6, view.causeCode());
        for (final int bad : new int[]{0, 7, 200, 255})
        {
            // the decoder refuses such a frame; the view, wrapped over one changed under it, must not throw
            buffer.putByte(16, (byte)bad);
            assertEquals(MembershipView.Cause.UNKNOWN, view.cause(), "cause " + bad);
            assertEquals(bad, view.causeCode());
            assertTrue(view.toString().contains("cause=UNKNOWN"));
        }
        for (final MembershipView.Cause cause : MembershipView.Cause.values())
        {
            if (cause != MembershipView.Cause.UNKNOWN)
            {
                buffer.putByte(16, (byte)(cause.ordinal() + 1));
                assertEquals(cause.name(), MembershipFrame.causeName(view.causeCode()));
            }
        }
    }
}
