package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.server.Cluster;
import io.msgc.wire.FrameType;
import io.msgc.wire.GroupOpFrame;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.RawConnection;
import io.msgc.wire.ServiceType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients and groups on a 3-node cluster in one JVM: membership, routing, ordering, slow consumers, failures.
 */
class GroupsTest
{
    private Cluster cluster;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start()
    {
        cluster = new Cluster(3).startAll();
        Cluster.await("3-node mesh", 5000, cluster::fullMesh);
    }

    @AfterEach
    void stop() throws Exception
    {
        if (Boolean.getBoolean("msgc.test.logs"))
        {
            System.out.println(cluster.logs());
        }
        for (final AutoCloseable c : closeables)
        {
            c.close();
        }
        cluster.close();
    }

    private TestMember member(final String name, final int node) throws Exception
    {
        final TestMember m = TestMember.connect(name, cluster.address(node));
        closeables.add(m);
        assertEquals("#" + name + "#node" + node, m.client.memberId());
        return m;
    }

    @Test
    void membersOnDifferentNodesSeeTheSameViewsInTheSameOrder() throws Exception
    {
        final TestMember c = member("carol", 3);
        final TestMember a = member("alice", 1);
        final TestMember b = member("bob", 2);
        c.joinAndWait("g");
        a.joinAndWait("g");
        Cluster.await("carol sees alice", 3000, () -> c.lastView("g").members.size() == 2);
        b.joinAndWait("g");
        final List<String> expected = List.of("#alice#node1", "#bob#node2", "#carol#node3");
        for (final TestMember m : List.of(a, b, c))
        {
            final TestMember.View v = m.awaitView(x -> x.members.equals(expected), "all three");
            assertEquals(TestMember.View.class, v.getClass());
            assertEquals(expected.indexOf(m.client.memberId()), v.myIndex);
            assertEquals(MembershipView.Cause.JOIN, v.cause);
            assertEquals(List.of("#bob#node2"), v.changed);
        }
        // the same change has the same view id everywhere
        final long id = a.lastView("g").viewId;
        assertEquals(id, b.lastView("g").viewId);
        assertEquals(id, c.lastView("g").viewId);

        a.client.leave("g");
        a.awaitView(v -> v.cause == MembershipView.Cause.SELF_LEAVE && v.myIndex == -1, "self-leave");
        for (final TestMember m : List.of(b, c))
        {
            final TestMember.View v = m.awaitView(x -> x.cause == MembershipView.Cause.LEAVE, "alice left");
            assertEquals(List.of("#bob#node2", "#carol#node3"), v.members);
            assertEquals(List.of("#alice#node1"), v.changed);
        }
    }

    @Test
    void fifoPerSenderWithSendersOnEveryNode() throws Exception
    {
        final int perSender = 3000;
        final List<TestMember> receivers = List.of(member("r1", 1), member("r2", 2), member("r3", 3));
        for (final TestMember r : receivers)
        {
            r.joinAndWait("fifo");
        }
        Cluster.await("receivers see each other", 3000,
            () -> receivers.stream().allMatch(r -> r.lastView("fifo").members.size() == 3));
        final List<TestMember> senders = List.of(member("s1", 1), member("s2", 2), member("s3", 3));
        final List<Thread> threads = new ArrayList<>();
        for (final TestMember s : senders)
        {
            final Thread t = new Thread(() ->
            {
                for (int i = 0; i < perSender; i++)
                {
                    s.send(ServiceType.FIFO, i, 64, "fifo");
                }
            });
            threads.add(t);
            t.start();
        }
        for (final Thread t : threads)
        {
            t.join(20_000);
        }
        for (final TestMember r : receivers)
        {
            r.awaitMessages(3 * perSender, 20_000);
            final Map<String, Long> next = new HashMap<>();
            for (final TestMember.Received m : r.messages)
            {
                final long expected = next.getOrDefault(m.sender, 0L);
                assertEquals(expected, m.sequence(), "order from " + m.sender + " at " + r.client.memberId());
                next.put(m.sender, expected + 1);
            }
            assertEquals(3, next.size());
            next.values().forEach(n -> assertEquals(perSender, n.longValue()));
            Thread.sleep(50);
            assertEquals(3 * perSender, r.messages.size(), "no duplicates");
        }
    }

    @Test
    void unicastToAPrivateGroupReachesOnlyThatMember() throws Exception
    {
        final TestMember a = member("alice", 1);
        final TestMember b = member("bob", 2);
        final TestMember b2 = member("bert", 2);
        a.send(7, "#bob#node2");
        a.send(8, "#nobody#node3");
        b.awaitMessages(1, 3000);
        final TestMember.Received m = b.messages.peek();
        assertEquals("#alice#node1", m.sender);
        assertEquals(List.of("#bob#node2"), m.groups);
        assertEquals(7, m.sequence());
        Thread.sleep(200);
        assertEquals(0, b2.messages.size());
        assertEquals(0, a.messages.size());
    }

    @Test
    void selfDiscardKeepsTheSendersCopyAway() throws Exception
    {
        final TestMember a = member("alice", 1);
        final TestMember b = member("bob", 3);
        a.joinAndWait("g");
        b.joinAndWait("g");
        a.send(ServiceType.FIFO | ServiceType.SELF_DISCARD, 1, 16, "g");
        a.send(ServiceType.FIFO, 2, 16, "g");
        b.awaitMessages(2, 3000);
        a.awaitMessages(1, 3000);
        Thread.sleep(200);
        assertEquals(1, a.messages.size());
        assertEquals(2, a.messages.peek().sequence());
    }

    @Test
    void groupsAreOpenToNonMembers() throws Exception
    {
        final TestMember member = member("listener", 2);
        final TestMember outsider = member("outsider", 3);
        member.joinAndWait("open");
        Cluster.await("interest reaches node3", 3000, () -> true);
        Thread.sleep(200);
        outsider.send(1, "open");
        member.awaitMessages(1, 3000);
        assertEquals("#outsider#node3", member.messages.peek().sender);
    }

    @Test
    void aMessageToSeveralGroupsArrivesOncePerReceiver() throws Exception
    {
        final TestMember both = member("both", 2);
        final TestMember one = member("one", 1);
        final TestMember sender = member("sender", 3);
        both.joinAndWait("x");
        both.joinAndWait("y");
        one.joinAndWait("y");
        Thread.sleep(200);
        sender.send(1, "x", "y");
        both.awaitMessages(1, 3000);
        one.awaitMessages(1, 3000);
        Thread.sleep(200);
        assertEquals(1, both.messages.size());
        assertEquals(List.of("x", "y"), both.messages.peek().groups);
        assertEquals(1, one.messages.size());
    }

    @Test
    void stoppedConsumerIsCutAfterSlowConsumerTimeoutWhileOthersGetEverything() throws Exception
    {
        cluster.close();
        // flow control holds node1's deliveries back while sloth's buffer is full, for one second at most
        cluster = new Cluster(3, b -> b.clientOutboundLimit(256 * 1024).slowConsumerTimeout(1)).startAll();
        Cluster.await("3-node mesh", 5000, cluster::fullMesh);
        final TestMember fast = member("fast", 1);
        final TestMember watcher = member("watcher", 2);
        fast.joinAndWait("firehose");
        watcher.joinAndWait("firehose");
        try (RawConnection slow = new RawConnection(cluster.address(1)))
        {
            // joins and then never reads again
            slow.hello(HelloFrame.ROLE_CLIENT, "sloth");
            slow.readType(FrameType.WELCOME, 2000);
            slow.send(GroupOpFrame.encode(slow.buffer, 0, FrameType.JOIN, 0, "firehose"));
            slow.readType(FrameType.MEMBERSHIP, 2000);
            fast.awaitView(v -> v.members.contains("#sloth#node1"), "sloth joined");
            final TestMember sender = member("sender", 3);
            final int count = 20_000;
            for (int i = 0; i < count; i++)
            {
                sender.send(ServiceType.RELIABLE, i, 1024, "firehose");
                if (i % 100 == 99)
                {
                    // paced: the fast members keep up, only the one that never reads falls behind
                    final int sent = i + 1;
                    try
                    {
                        fast.awaitMessages(sent, 10_000);
                        watcher.awaitMessages(sent, 10_000);
                    }
                    catch (final AssertionError ex)
                    {
                        throw new AssertionError(ex.getMessage() + "\n" + cluster.logs() + fast.events + fast.errors, ex);
                    }
                }
            }
            final TestMember.View v = watcher.awaitView(
                x -> x.cause == MembershipView.Cause.DISCONNECT && x.changed.equals(List.of("#sloth#node1")),
                "sloth disconnected");
            assertEquals(List.of("#fast#node1", "#watcher#node2"), v.members);
            fast.awaitMessages(count, 30_000);
            watcher.awaitMessages(count, 30_000);
            long expected = 0;
            for (final TestMember.Received m : fast.messages)
            {
                assertEquals(expected++, m.sequence());
            }
            assertTrue(io.msgc.server.AdminAccess.stats(cluster.address(1)).contains("slow-consumers 1"));
        }
    }

    @Test
    void aNodeKilledMidStreamGivesNetworkViewsToSurvivors() throws Exception
    {
        final TestMember a = member("alice", 1);
        final TestMember b = member("bob", 2);
        final TestMember c = TestMember.connect("carol", cluster.address(3));
        a.joinAndWait("g");
        b.joinAndWait("g");
        c.joinAndWait("g");
        Cluster.await("all see 3", 3000, () -> a.lastView("g").members.size() == 3 && b.lastView("g").members.size() == 3);
        final Thread stream = new Thread(() ->
        {
            // carol's server dies under her: the stream stops at the first refused send
            for (int i = 0; i < 2000 && c.client.isConnected(); i++)
            {
                try
                {
                    c.send(i, "g");
                }
                catch (final AssertionError closed)
                {
                    return;
                }
            }
        });
        stream.start();
        cluster.stop(3);
        stream.join(10_000);
        c.close();
        for (final TestMember m : List.of(a, b))
        {
            final TestMember.View v = m.awaitView(x -> x.cause == MembershipView.Cause.NETWORK, "network view");
            assertEquals(List.of("#alice#node1", "#bob#node2"), v.members);
            assertEquals(List.of("#carol#node3"), v.changed);
            // what arrived from carol is a gap-free prefix
            long expected = 0;
            for (final TestMember.Received r : m.messages)
            {
                assertEquals(expected++, r.sequence());
            }
        }
    }

    @Test
    void twoPeersHealingAtOnceGiveEveryMemberTheMergedView() throws Exception
    {
        // issue 9 #3: node1 is cut off from node2 and node3 at once, members join on both sides meanwhile, and both
        // links heal together: every member ends in one agreed view with every member, none is left without one
        final TestMember a = member("alice", 1);
        final TestMember b = member("bob", 2);
        final TestMember c = member("carol", 3);
        a.joinAndWait("g");
        b.joinAndWait("g");
        c.joinAndWait("g");
        cluster.server(1).faults().partition(1, 2);
        cluster.server(2).faults().partition(0);
        cluster.server(3).faults().partition(0);
        a.awaitView(v -> v.members.equals(List.of("#alice#node1")), "alice alone");
        b.awaitView(v -> v.members.equals(List.of("#bob#node2", "#carol#node3")), "bob and carol");
        final TestMember dave = member("dave", 1);
        final TestMember erin = member("erin", 3);
        dave.joinAndWait("g");
        erin.joinAndWait("g");
        cluster.server(1).faults().heal();
        cluster.server(2).faults().heal();
        cluster.server(3).faults().heal();
        final List<String> all = List.of("#alice#node1", "#dave#node1", "#bob#node2", "#carol#node3", "#erin#node3");
        final List<TestMember.View> merged = new ArrayList<>();
        for (final TestMember m : List.of(a, b, c, dave, erin))
        {
            merged.add(m.awaitView(v -> v.group.equals("g") && v.members.equals(all), "merged view of g"));
        }
        for (final TestMember.View v : merged)
        {
            assertEquals(merged.get(0).viewId, v.viewId, "one agreed view id");
        }
    }

    @Test
    void clientReconnectsToAnotherServerAndRejoins() throws Exception
    {
        final TestMember watcher = member("watcher", 1);
        watcher.joinAndWait("g");
        final ClientConfig config = ClientConfig.builder()
            .server(cluster.host(3), cluster.port())
            .server(cluster.host(2), cluster.port())
            .name("roamer").reconnect(true).reconnectInitialMs(50).reconnectInterval(1).connectTimeout(2).build();
        final TestMember roamer = TestMember.connect("roamer", config);
        closeables.add(roamer);
        final String firstNode = roamer.client.node();
        roamer.joinAndWait("g");
        watcher.awaitView(v -> v.members.contains(roamer.client.memberId()), "roamer in");
        final int node = Integer.parseInt(firstNode.substring(4));
        cluster.stop(node);
        Cluster.await("roamer reconnects", 10_000, () -> roamer.events.stream().anyMatch(e -> e.startsWith("connect")));
        assertTrue(roamer.events.peek().startsWith("disconnect"), roamer.events.toString());
        final String otherId = "#roamer#node" + (node == 3 ? 2 : 3);
        final TestMember.View v = watcher.awaitView(x -> x.members.contains(otherId), "roamer back via other node");
        assertEquals(MembershipView.Cause.JOIN, v.cause);
        roamer.awaitView(x -> x.members.contains(otherId), "roamer's fresh view");
    }

    @Test
    void tooManyGroupsIsAnErrorToThatClientOnly() throws Exception
    {
        try (Cluster small = new Cluster(1, b -> b.maxGroupsPerClient(2)).startAll())
        {
            final TestMember a = TestMember.connect("a", small.address(1));
            final TestMember b = TestMember.connect("b", small.address(1));
            try
            {
                a.joinAndWait("g1");
                a.joinAndWait("g2");
                a.client.join("g3");
                Cluster.await("error", 3000, () -> !a.errors.isEmpty());
                assertEquals("LIMIT_EXCEEDED: JOIN refused: member #a#node1 is in 2 groups already " +
                    "(max_groups_per_client=2)", a.errors.peek());
                b.joinAndWait("g1");
                assertTrue(b.errors.isEmpty());
                a.send(5, "g1");
                b.awaitMessages(1, 3000);
            }
            finally
            {
                a.close();
                b.close();
            }
        }
    }
}
