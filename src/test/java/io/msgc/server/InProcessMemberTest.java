package io.msgc.server;

import io.msgc.client.InProcessMember;
import io.msgc.client.LocalMember;
import io.msgc.client.MsgcException;
import io.msgc.client.MembershipView;
import io.msgc.client.TestMember;
import io.msgc.conf.IdleStrategyKind;
import io.msgc.conf.ServerConfig;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13, item 4: in-process members of an embedded server, attached over shared-memory rings, are members like
 * any other for the rest of the mesh: they talk to socket members on other nodes, share their views, take part in
 * the total order, are held to flow control, and leave with a DISCONNECT view.
 */
class InProcessMemberTest
{
    private Cluster cluster;

    @AfterEach
    void tearDown()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    private Cluster start(final int nodes, final UnaryOperator<ServerConfig.Builder> tuning)
    {
        cluster = new Cluster(nodes, tuning).startAll();
        Cluster.await("mesh", 10_000, cluster::fullMesh);
        return cluster;
    }

    @Test
    void inProcessMembersAndRemoteSocketMembersExchangeMessagesAndShareViews() throws Exception
    {
        start(2, b -> b);
        try (LocalMember local = LocalMember.attach(cluster.server(1), "inproc");
            TestMember remote = TestMember.connect("remote", cluster.address(2)))
        {
            assertEquals("#inproc#node1", local.id());
            local.joinAndWait("chat");
            remote.joinAndWait("chat");
            local.awaitView(v -> v.group.equals("chat") && v.members.size() == 2, "remote joined");
            final TestMember.View mine = local.awaitView(v -> v.group.equals("chat") && v.members.size() == 2, "2");
            final TestMember.View theirs = remote.awaitView(v -> v.group.equals("chat") && v.members.size() == 2, "2");
            assertEquals(List.of("#inproc#node1", "#remote#node2"), mine.members);
            assertEquals(mine.members, theirs.members);
            assertEquals(mine.viewId, theirs.viewId);
            assertEquals(0, mine.myIndex);
            assertEquals(1, theirs.myIndex);

            // group traffic both ways, and to each other's member id (FIFO: per-sender order only)
            local.send(1, "chat");
            local.send(3, remote.client.memberId());
            remote.send(2, "chat");
            remote.send(4, local.id());
            remote.awaitMessages(3, 5000);
            local.awaitMessages(3, 5000);
            final List<String> atRemote = new ArrayList<>();
            remote.messages.forEach(m -> atRemote.add(m.sender + ":" + m.sequence() + ":" + m.groups));
            final List<String> atLocal = new ArrayList<>();
            local.messages.forEach(m -> atLocal.add(m.sender + ":" + m.sequence() + ":" + m.groups));
            atRemote.remove("#remote#node2:2:[chat]");
            assertEquals(List.of("#inproc#node1:1:[chat]", "#inproc#node1:3:[#remote#node2]"), atRemote);
            atLocal.remove("#inproc#node1:1:[chat]");
            assertEquals(List.of("#remote#node2:2:[chat]", "#remote#node2:4:[#inproc#node1]"), atLocal);
            assertTrue(AdminAccess.groups(cluster.address(2)).contains("#inproc#node1"));

            // detach: the others see it go, as a DISCONNECT
            local.close();
            final TestMember.View gone = remote.awaitView(
                v -> v.group.equals("chat") && v.cause == MembershipView.Cause.DISCONNECT, "inproc disconnected");
            assertEquals(List.of("#remote#node2"), gone.members);
            assertEquals(List.of("#inproc#node1"), gone.changed);
            assertEquals(InProcessMember.CLOSED, local.member.join("other"));
            assertTrue(local.member.isClosed());
        }
    }

    @Test
    void agreedOrderIsTheSameAtInProcessAndSocketMembers() throws Exception
    {
        start(2, b -> b);
        final int count = 2000;
        try (LocalMember localSender = LocalMember.attach(cluster.server(1), "lsend");
            LocalMember localReceiver = LocalMember.attach(cluster.server(2), "lrecv");
            TestMember remoteSender = TestMember.connect("rsend", cluster.address(2));
            TestMember remoteReceiver = TestMember.connect("rrecv", cluster.address(1)))
        {
            localSender.joinAndWait("total");
            localReceiver.joinAndWait("total");
            remoteSender.joinAndWait("total");
            remoteReceiver.joinAndWait("total");
            remoteReceiver.awaitView(v -> v.group.equals("total") && v.members.size() == 4, "all four");
            localReceiver.awaitView(v -> v.group.equals("total") && v.members.size() == 4, "all four");
            final Thread a = new Thread(() ->
            {
                for (int i = 0; i < count; i++)
                {
                    localSender.send(ServiceType.AGREED, i, 16, "total");
                }
            });
            final Thread b = new Thread(() ->
            {
                for (int i = 0; i < count; i++)
                {
                    remoteSender.send(ServiceType.AGREED, 1_000_000 + i, 16, "total");
                }
            });
            a.start();
            b.start();
            a.join();
            b.join();
            for (final Object m : new Object[]{localSender, localReceiver, remoteSender, remoteReceiver})
            {
                if (m instanceof LocalMember)
                {
                    ((LocalMember)m).awaitMessages(2 * count, 20_000);
                }
                else
                {
                    ((TestMember)m).awaitMessages(2 * count, 20_000);
                }
            }
            final List<String> reference = order(localReceiver.messages);
            assertEquals(2 * count, reference.size());
            assertEquals(reference, order(localSender.messages));
            assertEquals(reference, order(remoteSender.messages));
            assertEquals(reference, order(remoteReceiver.messages));
            // and each sender's FIFO order inside it
            long lastLocal = -1;
            long lastRemote = 999_999;
            for (final TestMember.Received m : localReceiver.messages)
            {
                if (m.sender.equals(localSender.id()))
                {
                    assertEquals(lastLocal + 1, m.sequence());
                    lastLocal = m.sequence();
                }
                else
                {
                    assertEquals(lastRemote + 1, m.sequence());
                    lastRemote = m.sequence();
                }
            }
        }
    }

    private static List<String> order(final Iterable<TestMember.Received> messages)
    {
        final List<String> order = new ArrayList<>();
        messages.forEach(m -> order.add(m.sender + ":" + m.sequence()));
        return order;
    }

    @Test
    void aSlowInProcessReaderIsHeldToFlowControlAndNeverCut() throws Exception
    {
        // a small outbound limit, so the reader's ring is full almost at once
        start(2, b -> b.clientOutboundLimit(64 * 1024).slowConsumerTimeout(2));
        final int count = 50_000;
        try (LocalMember reader = LocalMember.attach(cluster.server(1), "reader");
            LocalMember localPublisher = LocalMember.attach(cluster.server(1), "lpub");
            TestMember remotePublisher = TestMember.connect("rpub", cluster.address(2)))
        {
            reader.joinAndWait("flow");
            remotePublisher.joinAndWait("flow-echo");
            Cluster.await("node2 routes to the reader", 5000,
                () -> Admin.request(cluster.address(2), "groups").contains("#reader#node1"));
            // about 100k messages a second at most
            reader.slowDown(100, TimeUnit.MILLISECONDS.toNanos(1));
            final Thread remote = new Thread(() ->
            {
                for (int i = 0; i < count; i++)
                {
                    remotePublisher.send(ServiceType.RELIABLE, 1_000_000 + i, 256, "flow");
                }
            });
            remote.start();
            for (int i = 0; i < count; i++)
            {
                localPublisher.send(ServiceType.FIFO, i, 256, "flow");
            }
            remote.join();
            reader.awaitMessages(2 * count, 120_000);
            long nextLocal = 0;
            long nextRemote = 1_000_000;
            for (final TestMember.Received m : reader.messages)
            {
                if (m.sender.equals(localPublisher.id()))
                {
                    assertEquals(nextLocal++, m.sequence());
                }
                else
                {
                    assertEquals(nextRemote++, m.sequence());
                }
            }
            assertEquals(count, nextLocal);
            assertEquals(1_000_000 + count, nextRemote);
            assertTrue(reader.events.isEmpty(), "reader: " + reader.events + reader.errors);
            assertTrue(reader.errors.isEmpty() && localPublisher.errors.isEmpty(), reader.errors + " " +
                localPublisher.errors);
            assertTrue(localPublisher.backPressured > 0, "the in-process publisher was never slowed down");
            assertTrue(AdminAccess.stats(cluster.address(1)).contains("slow-consumers 0\n"),
                AdminAccess.stats(cluster.address(1)));
        }
    }

    @Test
    void aStoppedInProcessReaderIsCutAfterTheTimeoutAndTheOthersGoOn() throws Exception
    {
        start(2, b -> b.clientOutboundLimit(64 * 1024).slowConsumerTimeout(1));
        try (LocalMember stopped = LocalMember.attachUnread(cluster.server(1), "stopped");
            LocalMember fast = LocalMember.attach(cluster.server(1), "fast");
            TestMember watcher = TestMember.connect("watcher", cluster.address(2));
            TestMember sender = TestMember.connect("sender", cluster.address(2)))
        {
            stopped.member.join("firehose");
            fast.joinAndWait("firehose");
            watcher.joinAndWait("firehose");
            watcher.awaitView(v -> v.members.contains(stopped.id()), "stopped joined");
            final int count = 2000;
            final long startNs = System.nanoTime();
            try
            {
                for (int i = 0; i < count; i++)
                {
                    sender.send(ServiceType.RELIABLE, i, 1024, "firehose");
                    if (i % 100 == 99)
                    {
                        // paced: the fast members keep up, only the one that never reads falls behind (a sender
                        // spinning on BACK_PRESSURED would take a core of this 2-core machine from the servers)
                        watcher.awaitMessages(i + 1, 10_000);
                        fast.awaitMessages(i + 1, 10_000);
                    }
                }
            }
            catch (final AssertionError ex)
            {
                throw new AssertionError(ex.getMessage() + "\n" + cluster.logs(), ex);
            }
            final TestMember.View cut = watcher.awaitView(
                v -> v.cause == MembershipView.Cause.DISCONNECT && v.changed.contains(stopped.id()), "stopped cut");
            assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(900),
                "cut before slow_consumer_timeout");
            assertEquals(List.of(fast.id(), "#watcher#node2"), cut.members);
            assertTrue(cluster.logs().contains("slow-consumer member=#stopped#node1"), cluster.logs());
            // the stopped member, reading at last, gets what its ring held, then the reason
            Cluster.await("stopped hears it was cut", 5000, () ->
            {
                stopped.member.poll(stopped.handler, 1000);
                return !stopped.events.isEmpty();
            });
            assertTrue(stopped.events.peek().startsWith("disconnect slow consumer: read nothing for "),
                stopped.events.toString());
            assertTrue(stopped.messages.size() > 0 && stopped.messages.size() < count, "" + stopped.messages.size());
            assertEquals(InProcessMember.CLOSED, stopped.member.join("again"));
        }
    }

    @Test
    void aWaitingMemberAndAWaitingServerAreWokenBySendsNotByTheirTimers() throws Exception
    {
        // a server that blocks in its selector until its next timer (a few ms; heartbeats every 100 ms) and members
        // that park up to 1 s: 100 round trips take ~20 ms when every send wakes the loop and every delivery
        // unparks the member, about a second when the loop waits for its timers, 100 s when members wait for theirs
        start(1, b -> b.idleStrategy(IdleStrategyKind.BLOCKING));
        try (InProcessMember ping = cluster.server(1).attach("ping");
            InProcessMember pong = cluster.server(1).attach("pong"))
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
            final long[] got = new long[1];
            final Thread echo = new Thread(() ->
            {
                while (!pong.isClosed() && got[0] >= 0)
                {
                    pong.poll(m -> pong.multicast(ServiceType.FIFO, 1, m.payload(), 0, m.payloadLength(), "#ping#node1"),
                        16, 1000);
                }
            });
            echo.setDaemon(true);
            echo.start();
            final long startNs = System.nanoTime();
            for (int i = 0; i < 100; i++)
            {
                payload.putLong(0, i);
                assertTrue(ping.multicast(ServiceType.FIFO, 1, payload, 0, 16, "#pong#node1") > 0);
                final long before = got[0];
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (got[0] == before && System.nanoTime() < deadline)
                {
                    ping.poll(m -> got[0]++, 16, 1000);
                }
                assertEquals(before + 1, got[0], "round trip " + i);
            }
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertTrue(elapsedMs < 500, "100 round trips took " + elapsedMs + " ms: someone waited for a timer");
        }
    }

    @Test
    void framesLargerThanARingRecordGoBothWays() throws Exception
    {
        start(1, b -> b);
        try (LocalMember a = LocalMember.attach(cluster.server(1), "big");
            TestMember b = TestMember.connect("socket", cluster.address(1)))
        {
            // the request ring holds records of up to 128 KiB: this one takes the large-frame slot
            final int size = 600 * 1024;
            for (int i = 0; i < 3; i++)
            {
                a.send(ServiceType.FIFO, i, size, "#socket#node1", a.id());
            }
            b.awaitMessages(3, 10_000);
            a.awaitMessages(3, 10_000);
            for (final TestMember.Received m : a.messages)
            {
                assertEquals(size, m.payload.length);
            }
            assertEquals(List.of(0L, 1L, 2L), List.of(b.messages.stream().map(TestMember.Received::sequence).toArray()));
        }
    }

    @Test
    void attachRefusesBadAndTakenNamesAndRequestsAreCheckedAsASocketClientsAre() throws Exception
    {
        start(1, b -> b);
        assertThrows(IllegalArgumentException.class, () -> cluster.server(1).attach("bad name"));
        try (TestMember socket = TestMember.connect("taken", cluster.address(1));
            LocalMember local = LocalMember.attach(cluster.server(1), "local"))
        {
            final MsgcException taken = assertThrows(MsgcException.class, () -> cluster.server(1).attach("taken"));
            assertEquals(ErrorCode.DUPLICATE_NAME, taken.code());
            assertThrows(MsgcException.class, () -> cluster.server(1).attach("local"));
            local.joinAndWait("g");
            final long id = local.member.join("g");
            Cluster.await("the second join is refused", 5000, () -> !local.errors.isEmpty());
            assertTrue(local.errors.peek().contains("already a member of group 'g'"), local.errors.toString());
            assertEquals(id, local.errorIds.peek());
            assertThrows(IllegalArgumentException.class, () -> local.member.join("#nope"));
        }
    }

    @Test
    void aServerThatStopsEndsItsInProcessMembersSessions() throws Exception
    {
        start(1, b -> b);
        final LocalMember local = LocalMember.attach(cluster.server(1), "orphan");
        local.joinAndWait("g");
        cluster.stop(1);
        Cluster.await("the member hears the server stopped", 5000, () -> !local.events.isEmpty());
        assertTrue(local.events.peek().contains("shutting down"), local.events.toString());
        assertEquals(InProcessMember.CLOSED, local.member.join("h"));
        local.close();
    }

    @Test
    void aDrainEndsInProcessMembersWithADisconnectViewBeforeTheNodeLeaves() throws Exception
    {
        start(2, b -> b);
        try (LocalMember local = LocalMember.attach(cluster.server(1), "inproc");
            TestMember remote = TestMember.connect("remote", cluster.address(2)))
        {
            local.joinAndWait("chat");
            remote.joinAndWait("chat");
            remote.awaitView(v -> v.group.equals("chat") && v.members.size() == 2, "inproc joined");
            assertTrue(Admin.request(cluster.address(1), "drain").startsWith("drained node1"));
            // the in-process member cannot move to another server: it is ended, and the others see it go as a
            // DISCONNECT installed before node1 leaves, not as a NETWORK view
            final TestMember.View gone = remote.awaitView(v -> v.group.equals("chat") && v.members.size() == 1,
                "inproc gone");
            assertEquals(MembershipView.Cause.DISCONNECT, gone.cause);
            Cluster.await("the member hears why", 5000, () -> !local.events.isEmpty());
            assertTrue(local.events.peek().contains("draining"), local.events.toString());
            assertEquals(InProcessMember.CLOSED, local.member.join("h"));
        }
    }
}
