package io.msgc.cli;

import io.msgc.client.MembershipView;
import io.msgc.client.TestMember;
import io.msgc.server.AdminAccess;
import io.msgc.server.Loopback;
import io.msgc.wire.ServiceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, live reload of the peers list: three real daemons; node4 is added by editing each node's file and
 * sending SIGHUP, one node at a time, while a member streams to another node; views announce node4's member,
 * nothing is lost; then node4 is removed the same way.
 */
class PeersReloadTest
{
    @TempDir
    Path dir;

    @Test
    void aNodeIsAddedAndRemovedWithARollingReloadWhileMessagesFlow() throws Exception
    {
        final String prefix = Loopback.block();
        final int port = Loopback.freePort(prefix + "1");
        final DaemonProcess[] nodes = new DaemonProcess[5];
        final AtomicBoolean sending = new AtomicBoolean(true);
        final AtomicLong sent = new AtomicLong();
        try
        {
            for (int i = 1; i <= 3; i++)
            {
                nodes[i] = DaemonProcess.daemon(writeConfig(i, prefix, port, 3), "node" + i);
            }
            for (int i = 1; i <= 3; i++)
            {
                assertTrue(nodes[i].awaitOutput("node-view id=", 15_000) &&
                    nodes[i].awaitOutput("nodes=[node1,node2,node3]", 15_000), nodes[i].output());
            }
            try (TestMember sender = TestMember.connect("sender", address(prefix, 1, port));
                TestMember receiver = TestMember.connect("receiver", address(prefix, 3, port)))
            {
                receiver.joinAndWait("g");
                awaitTrue("node1 routes to the receiver", 10_000,
                    () -> AdminAccess.groups(address(prefix, 1, port)).contains("#receiver#node3"));
                final Thread stream = new Thread(() ->
                {
                    while (sending.get() && sender.client.isConnected())
                    {
                        sender.send(ServiceType.FIFO, sent.get(), 64, "g");
                        sent.incrementAndGet();
                        if (sent.get() % 100 == 0)
                        {
                            sleep(1);
                        }
                    }
                });
                stream.start();

                // node4 starts with the longer list; then each running node takes it, one at a time
                nodes[4] = DaemonProcess.daemon(writeConfig(4, prefix, port, 4), "node4");
                for (int i = 1; i <= 3; i++)
                {
                    reload(nodes[i], i, prefix, port, 4, "peer-added node=node4");
                }
                for (int i = 1; i <= 4; i++)
                {
                    assertTrue(nodes[i].awaitOutput("nodes=[node1,node2,node3,node4]", 15_000), nodes[i].output());
                }
                try (TestMember fourth = TestMember.connect("fourth", address(prefix, 4, port)))
                {
                    fourth.joinAndWait("g");
                    receiver.awaitView(v -> v.group.equals("g") && v.members.contains("#fourth#node4"),
                        "node4's member announced to the receiver");

                    // and out again, the same way
                    for (int i = 1; i <= 3; i++)
                    {
                        reload(nodes[i], i, prefix, port, 3, "peer-removed node=node4");
                    }
                    final TestMember.View gone = receiver.awaitView(v -> v.group.equals("g") &&
                        v.cause == MembershipView.Cause.NETWORK && !v.members.contains("#fourth#node4"),
                        "node4's member gone from the receiver's view");
                    assertEquals(List.of("#receiver#node3"), gone.members);
                }
                sending.set(false);
                stream.join(10_000);
                final long total = sent.get();
                receiver.awaitMessages((int)total, 30_000);
                long expected = 0;
                for (final TestMember.Received m : receiver.messages)
                {
                    assertEquals(expected++, m.sequence(), "message lost or out of order");
                }
                assertEquals(total, receiver.messages.size());
                assertTrue(receiver.events.isEmpty() && sender.events.isEmpty(),
                    receiver.events + " " + sender.events);
            }
        }
        finally
        {
            sending.set(false);
            for (final DaemonProcess node : nodes)
            {
                if (node != null)
                {
                    node.close();
                }
            }
        }
    }

    private void reload(
        final DaemonProcess node, final int index, final String prefix, final int port, final int peers,
        final String expected) throws Exception
    {
        final int reloads = count(node.output(), " reloaded file=");
        writeConfig(index, prefix, port, peers);
        node.signal("HUP");
        awaitTrue("node" + index + " reloaded", 10_000, () -> count(node.output(), " reloaded file=") > reloads);
        assertTrue(node.output().contains(expected), node.output());
        assertTrue(node.output().contains("reload-applied option=msgc_server.peers"), node.output());
    }

    private Path writeConfig(final int node, final String prefix, final int port, final int peers)
        throws Exception
    {
        final StringBuilder list = new StringBuilder();
        for (int i = 1; i <= peers; i++)
        {
            list.append("    node").append(i).append(" = \"").append(prefix).append(i).append(':').append(port)
                .append("\"\n");
        }
        final Path file = dir.resolve("node" + node + ".conf");
        Files.writeString(file, "msgc_server {\n" +
            "  heartbeat_interval_ms = 100\n" +
            "  peer_timeout_ms = 1500\n" +
            "  reconnect_initial_ms = 50\n" +
            "  reconnect_interval = 1\n" +
            "  debug_level = notice\n" +
            "  counters_file = \"" + dir.resolve("%n.counters") + "\"\n" +
            "  peers = [\n" + list + "  ]\n" +
            "}\n");
        return file;
    }

    private static int count(final String text, final String needle)
    {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1))
        {
            count++;
        }
        return count;
    }

    private static InetSocketAddress address(final String prefix, final int node, final int port)
    {
        return new InetSocketAddress(prefix + node, port);
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitTrue(final String what, final long timeoutMs, final BooleanSupplier c)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (!c.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
