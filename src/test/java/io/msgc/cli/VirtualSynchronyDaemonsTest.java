package io.msgc.cli;

import io.msgc.server.Cluster;
import io.msgc.server.HistoryRecorder;
import io.msgc.server.Loopback;
import io.msgc.server.Workload;
import io.msgc.wire.MembershipFrame;
import io.msgc.wire.ServiceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guarantees of docs/GUARANTEES.md on three real {@code msgcd} processes: members in the test JVM on every node
 * race FIFO/RELIABLE/CAUSAL/AGREED/SAFE multicasts, join, leave, connect and disconnect (a seeded {@link Workload});
 * one daemon is killed with SIGKILL and restarted, then the sequencer is stopped with SIGSTOP past
 * {@code peer_timeout_ms} and continued; the run goes quiet and the {@code History} checker passes over every
 * member's deliveries and views. {@code -Dmsgc.vs.seed=N} picks another seed.
 */
class VirtualSynchronyDaemonsTest
{
    static final int PEER_TIMEOUT_MS = 800;
    private static final Pattern NODE_VIEW = Pattern.compile("node-view id=(\\d+) nodes=\\[([^]]*)]");

    @TempDir
    Path dir;

    /**
     * @return the id and nodes of the last node view the daemon logged, as {@code "id node1,node2"}, or "".
     */
    static String lastNodeView(final DaemonProcess daemon)
    {
        final Matcher m = NODE_VIEW.matcher(daemon.output());
        String last = "";
        while (m.find())
        {
            last = m.group(1) + " " + m.group(2);
        }
        return last;
    }

    /**
     * Wait until every given daemon's last node view is the same one, of exactly {@code nodes}.
     */
    static void awaitOneView(final String what, final long timeoutMs, final String nodes, final DaemonProcess... daemons)
    {
        Cluster.await(what + ": one node view [" + nodes + "]", timeoutMs, () ->
        {
            final String first = lastNodeView(daemons[0]);
            if (!first.endsWith(" " + nodes))
            {
                return false;
            }
            for (final DaemonProcess d : daemons)
            {
                if (!lastNodeView(d).equals(first))
                {
                    return false;
                }
            }
            return true;
        }, () -> tails(daemons));
    }

    /**
     * @return the last lines of each daemon's output, for failure messages.
     */
    static String tails(final DaemonProcess... daemons)
    {
        final StringBuilder sb = new StringBuilder();
        for (final DaemonProcess d : daemons)
        {
            final String out = d.output();
            sb.append("--- pid ").append(d.pid()).append(" last node view ").append(lastNodeView(d)).append('\n')
                .append(out.length() <= 6000 ? out : out.substring(out.length() - 6000));
        }
        return sb.toString();
    }

    static String config(final Path dir, final String[] hosts, final int port, final String listener)
    {
        return "msgc_server {\n" +
            "  heartbeat_interval_ms = 100\n" +
            "  peer_timeout_ms = " + PEER_TIMEOUT_MS + "\n" +
            "  reconnect_initial_ms = 50\n" +
            "  reconnect_interval = 1\n" +
            "  debug_level = info\n" +
            "  counters_file = \"" + dir.resolve("%n.counters") + "\"\n" +
            "  peers = [\n" +
            "    node1 = \"" + hosts[0] + ":" + port + "\"\n" +
            "    node2 = \"" + hosts[1] + ":" + port + "\"\n" +
            "    node3 = \"" + hosts[2] + ":" + port + "\"\n" +
            "  ]\n" +
            "}\n" + listener;
    }

    /**
     * The end of a run: the members' histories pass the checker, and every level was really exercised.
     */
    static void assertClean(final String what, final HistoryRecorder recorder, final Workload workload,
        final DaemonProcess... daemons)
    {
        recorder.awaitClean(what, 20_000, () -> workload.summary() + "\n" + tails(daemons));
        System.out.println(what + ": clean; " + workload.summary() + "; " + recorder.summary());
        for (final int level : new int[]{ServiceType.FIFO, ServiceType.AGREED, ServiceType.SAFE})
        {
            assertTrue(recorder.delivered(level) > 100, what + ": only " + recorder.delivered(level) + " " +
                ServiceType.name(level) + " deliveries; " + workload.summary());
        }
        assertTrue(recorder.views(MembershipFrame.CAUSE_TRANSITIONAL) > 0, what + ": no transitional view");
        assertTrue(recorder.views(MembershipFrame.CAUSE_NETWORK) > 0, what + ": no network view");
    }

    @Test
    void killMinus9AndSigstopOfRealDaemons() throws Exception
    {
        final long seed = Long.getLong("msgc.vs.seed", 1);
        final String what = "three daemons seed=" + seed;
        final String prefix = Loopback.block();
        final int port = Loopback.freePort(prefix + "1");
        final Path file = dir.resolve("msgc_server.conf");
        Files.writeString(file, config(dir, new String[]{prefix + "1", prefix + "2", prefix + "3"}, port, ""));
        final DaemonProcess[] nodes = new DaemonProcess[3];
        try (HistoryRecorder recorder = new HistoryRecorder())
        {
            for (int i = 0; i < 3; i++)
            {
                nodes[i] = DaemonProcess.daemon(file, "node" + (i + 1));
            }
            awaitOneView(what, 30_000, "node1,node2,node3", nodes);
            final Workload workload = new Workload(recorder, seed, 3, i -> new InetSocketAddress(prefix + i, port),
                30_000);
            try
            {
                for (int i = 1; i <= 3; i++)
                {
                    workload.connect(i, 2, "g0", Workload.GROUPS[i % Workload.GROUPS.length]);
                }
                workload.start();
                Thread.sleep(500);

                // kill -9 node3 mid-traffic, then start it again
                workload.open(3, false);
                nodes[2].kill();
                awaitOneView(what + " after kill -9 node3", 10_000, "node1,node2", nodes[0], nodes[1]);
                Thread.sleep(500);
                nodes[2].close();
                nodes[2] = DaemonProcess.daemon(file, "node3");
                awaitOneView(what + " after the restart of node3", 30_000, "node1,node2,node3", nodes);
                workload.open(3, true);
                Thread.sleep(500);

                // SIGSTOP the sequencer past the peer timeout, then SIGCONT: it ends its old view alone and merges
                workload.open(1, false);
                nodes[0].signal("STOP");
                try
                {
                    awaitOneView(what + " while node1 is stopped", 10_000, "node2,node3", nodes[1], nodes[2]);
                    Thread.sleep(300);
                }
                finally
                {
                    nodes[0].signal("CONT");
                }
                awaitOneView(what + " after SIGCONT of node1", 10_000, "node1,node2,node3", nodes);
                workload.open(1, true);
                Thread.sleep(500);
            }
            finally
            {
                workload.stop();
            }
            awaitOneView(what + " at the end", 10_000, "node1,node2,node3", nodes);
            assertClean(what, recorder, workload, nodes);
        }
        finally
        {
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
