package io.msgc.cli;

import io.msgc.server.HistoryRecorder;
import io.msgc.server.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.msgc.cli.VirtualSynchronyDaemonsTest.awaitOneView;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real network partition: three {@code msgcd} processes, each in a network namespace of its own, peers joined
 * through a bridge, members in the test JVM on each node's own client link ({@link NetnsTopology}). While the
 * workload runs, one node's mesh link silently drops every packet both ways (no RST: the peer links stay half-open),
 * past the peer timeout: each side forms its own view and goes on; then the link heals and the two views merge into
 * one agreed view. First the last node is cut off, then the sequencer. The History checker must pass over every
 * member's deliveries and views. Skipped, with the reason, where network namespaces cannot be created (not root,
 * no iproute2).
 */
class VirtualSynchronyNetnsTest
{
    @TempDir
    Path dir;

    @Test
    void aSilentPartitionOfRealDaemonsHealsIntoOneAgreedView() throws Exception
    {
        final long seed = Long.getLong("msgc.vs.seed", 1);
        final int port = 4809;
        final DaemonProcess[] nodes = new DaemonProcess[3];
        try (NetnsTopology net = NetnsTopology.create(3); HistoryRecorder recorder = new HistoryRecorder())
        {
            final String what = "netns partition (" + net.dropQdisc() + ") seed=" + seed;
            final Path file = dir.resolve("msgc_server.conf");
            Files.writeString(file, VirtualSynchronyDaemonsTest.config(dir,
                new String[]{net.meshAddress(1), net.meshAddress(2), net.meshAddress(3)}, port,
                "msgcserver_listener {\n  Listen \"*:" + port + "\" { }\n}\n"));
            try
            {
                for (int i = 0; i < 3; i++)
                {
                    nodes[i] = DaemonProcess.daemonIn(net.namespace(i + 1), file, "node" + (i + 1));
                }
                awaitOneView(what, 30_000, "node1,node2,node3", nodes);
                final Workload workload = new Workload(recorder, seed, 3,
                    i -> new InetSocketAddress(net.clientAddress(i), port), 30_000);
                try
                {
                    for (int i = 1; i <= 3; i++)
                    {
                        workload.connect(i, 2, "g0", Workload.GROUPS[i % Workload.GROUPS.length]);
                    }
                    workload.start();
                    Thread.sleep(500);
                    // node3 alone, then node1 (the sequencer) alone; members stay connected to their own node
                    for (final int lone : new int[]{3, 1})
                    {
                        final DaemonProcess[] rest = lone == 3 ? new DaemonProcess[]{nodes[0], nodes[1]} :
                            new DaemonProcess[]{nodes[1], nodes[2]};
                        final int from = rest[0].output().length();
                        net.cut(lone);
                        try
                        {
                            awaitOneView(what + " cut off node" + lone, 10_000, lone == 3 ? "node1,node2" :
                                "node2,node3", rest);
                            awaitOneView(what + " node" + lone + " alone", 10_000, "node" + lone, nodes[lone - 1]);
                            // silent: the links died of the peer timeout, not of a reset
                            final String after = rest[0].output().substring(from);
                            assertTrue(after.contains("peer-down node=node" + lone + " reason=\"no frame for"),
                                after);
                            assertTrue(net.dropped(lone) > 0, "the qdisc dropped packets");
                            Thread.sleep(500); // both sides work on
                        }
                        finally
                        {
                            net.heal(lone);
                        }
                        awaitOneView(what + " healed node" + lone, 15_000, "node1,node2,node3", nodes);
                        Thread.sleep(500);
                    }
                }
                finally
                {
                    workload.stop();
                }
                awaitOneView(what + " at the end", 10_000, "node1,node2,node3", nodes);
                VirtualSynchronyDaemonsTest.assertClean(what, recorder, workload, nodes);
            }
            finally
            {
                // the daemons first: a namespace goes away with its last process
                recorder.close();
                for (final DaemonProcess n : nodes)
                {
                    if (n != null)
                    {
                        n.close();
                    }
                }
            }
        }
    }
}
