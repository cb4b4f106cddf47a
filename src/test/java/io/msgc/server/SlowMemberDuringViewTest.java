package io.msgc.server;

import io.msgc.client.MembershipView;
import io.msgc.client.TestMember;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.GroupOpFrame;
import io.msgc.wire.HelloFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, defect 2: a member whose buffer overflows while a view goes to every member of a group is cut off,
 * and the members after it in the loop still get every view once, intact.
 */
class SlowMemberDuringViewTest
{
    /** Long names make big views, so the slow member fills up after fewer of them. */
    private static final String PAD = "-xxxxxxxxxxxxxxxxxxxxxxx";
    private static final String GROUP = "views";

    @Test
    void aSlowMemberCutWhileAViewIsSentLeavesTheOtherMembersStreamsIntact() throws Exception
    {
        // small socket buffers and the smallest outbound limit: the member that never reads overflows soon
        try (Cluster cluster = new Cluster(1, b -> b.clientOutboundLimit(65536).tcpbufSize(4096)).startAll())
        {
            final List<TestMember> healthy = new ArrayList<>();
            try (Socket slow = new Socket())
            {
                // sorts first in the group ('A' < 'm'), so every healthy member comes after it in the loop
                slow.setReceiveBufferSize(4096);
                slow.connect(cluster.address(1), 2000);
                slow.setSoTimeout(5000);
                final UnsafeBuffer out = new UnsafeBuffer(new byte[256]);
                final OutputStream slowOut = slow.getOutputStream();
                slowOut.write(out.byteArray(), 0,
                    HelloFrame.encode(out, 0, HelloFrame.ROLE_CLIENT, 0, 0, "AAslow" + PAD));
                slowOut.write(out.byteArray(), 0, GroupOpFrame.encode(out, 0, FrameType.JOIN, 1, GROUP));
                readUntil(slow, FrameType.MEMBERSHIP);
                // from now on the slow member reads nothing

                for (int i = 0; i < 5; i++)
                {
                    final TestMember m = TestMember.connect("m" + i + PAD, cluster.address(1));
                    healthy.add(m);
                    m.joinAndWait(GROUP);
                }
                final TestMember churn = TestMember.connect("zchurn" + PAD, cluster.address(1));
                healthy.add(churn);
                // every join and leave sends a view to each member; the slow one's queue fills with them
                boolean churning = true;
                for (int cycle = 0; cycle < 2000 && churning &&
                    !cluster.logs().contains("slow-consumer member=#AAslow"); cycle++)
                {
                    churning = joinOrLeave(churn, true) && joinOrLeave(churn, false);
                }
                churning = churning && joinOrLeave(churn, true);
                for (final TestMember m : healthy)
                {
                    final String who = m.client.privateName();
                    assertTrue(m.errors.isEmpty(), who + " got errors: " + m.errors);
                    assertTrue(m.events.isEmpty(), who + " lost its connection: " + m.events);
                }
                assertTrue(churning, "churn stalled");
                assertTrue(cluster.logs().contains("slow-consumer member=#AAslow"), cluster.logs());

                final String slowId = "#AAslow" + PAD + "#node1";
                for (final TestMember m : healthy)
                {
                    if (m != churn) // churn may have been out of the group at that moment
                    {
                        m.awaitView(v -> v.group.equals(GROUP) && v.cause == MembershipView.Cause.DISCONNECT &&
                            v.changed.contains(slowId), "the slow member's disconnect");
                    }
                    Cluster.await(m.client.privateName() + " sees the last join", 5000, () ->
                        m.lastView(GROUP) != null && m.lastView(GROUP).members.size() == 6);
                }
                for (final TestMember m : healthy)
                {
                    final String who = m.client.privateName();
                    assertTrue(m.errors.isEmpty(), who + " got errors: " + m.errors);
                    assertTrue(m.events.isEmpty(), who + " lost its connection: " + m.events);
                    final Set<Long> ids = new HashSet<>();
                    int disconnects = 0;
                    for (final TestMember.View v : m.views)
                    {
                        assertTrue(ids.add(v.viewId), who + " got view " + v + " twice");
                        if (v.cause == MembershipView.Cause.DISCONNECT)
                        {
                            disconnects++;
                            assertEquals(List.of(slowId), v.changed, v.toString());
                            assertTrue(!v.members.contains(slowId), v.toString());
                        }
                    }
                    assertEquals(m == churn ? disconnects : 1, disconnects, who + " views " + m.views);
                    assertTrue(disconnects <= 1, who + " views " + m.views);
                }
            }
            finally
            {
                for (final TestMember m : healthy)
                {
                    m.close();
                }
            }
        }
    }

    private static boolean joinOrLeave(final TestMember member, final boolean join)
    {
        final int before = member.views.size();
        if (join)
        {
            member.client.join(GROUP);
        }
        else
        {
            member.client.leave(GROUP);
        }
        final long deadline = System.currentTimeMillis() + 5000;
        while (member.views.size() == before)
        {
            if (System.currentTimeMillis() > deadline || !member.events.isEmpty())
            {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    private static void readUntil(final Socket socket, final int type) throws Exception
    {
        final DataInputStream in = new DataInputStream(socket.getInputStream());
        while (true)
        {
            final byte[] header = new byte[FrameHeader.LENGTH];
            in.readFully(header);
            final UnsafeBuffer h = new UnsafeBuffer(header);
            in.readFully(new byte[FrameHeader.frameLength(h, 0) - FrameHeader.LENGTH]);
            if (FrameHeader.type(h, 0) == type)
            {
                return;
            }
        }
    }
}
