package io.msgc.server;

import io.msgc.wire.MembershipFrame;
import io.msgc.wire.ServiceType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guarantees of docs/GUARANTEES.md on real sockets: in-JVM clusters with real {@code MsgcClient} members on every
 * node racing FIFO, RELIABLE, CAUSAL, AGREED and SAFE multicasts while they join, leave, connect and disconnect (a
 * seeded {@link Workload}), and a fault per scenario: a node killed (the sequencer among them), the coordinator
 * killed in the middle of a view change, a node paused past {@code peer_timeout_ms} then resumed, partitions that
 * heal, concurrent joins of one group on every node. After each, the run goes quiet and {@link History} checks every
 * delivery and view of every member. {@code -Dmsgc.vs.seed=N -Dmsgc.vs.runs=K} runs other seeds, K per scenario;
 * {@code -Dmsgc.vs.soak=S} also runs S seconds of random faults per seed (not part of the build).
 */
class VirtualSynchronyClusterTest
{
    private static final int PEER_TIMEOUT_MS = 600;
    private static final long SEED = Long.getLong("msgc.vs.seed", 1);
    private static final int RUNS = Integer.getInteger("msgc.vs.runs", 1);
    private static final int SOAK_SECONDS = Integer.getInteger("msgc.vs.soak", 0);

    /** What a scenario does to the cluster while the workload runs. */
    private interface Faults
    {
        void run(Cluster cluster, Workload workload, HistoryRecorder recorder) throws Exception;
    }

    private static void scenario(final String name, final long seed, final int nodes, final Faults faults)
        throws Exception
    {
        scenario(name, seed, nodes, PEER_TIMEOUT_MS, faults);
    }

    private static void scenario(
        final String name, final long seed, final int nodes, final int peerTimeoutMs, final Faults faults)
        throws Exception
    {
        final String what = name + " seed=" + seed;
        try (Cluster cluster = new Cluster(nodes, b -> b.peerTimeoutMs(peerTimeoutMs)).logLevel("INFO").startAll();
            HistoryRecorder recorder = new HistoryRecorder())
        {
            awaitSettled(what, cluster);
            final Workload workload = new Workload(recorder, seed, nodes, cluster::address,
                Math.max(30_000, 3000 * SOAK_SECONDS));
            try
            {
                for (int i = 1; i <= nodes; i++)
                {
                    workload.connect(i, 2, "g0", Workload.GROUPS[i % Workload.GROUPS.length]);
                }
                workload.start();
                Thread.sleep(400);
                try
                {
                    faults.run(cluster, workload, recorder);
                }
                catch (final AssertionError ex)
                {
                    throw new AssertionError(what + ": " + ex.getMessage(), ex);
                }
                Thread.sleep(400);
            }
            finally
            {
                workload.stop();
            }
            awaitSettled(what, cluster);
            recorder.awaitClean(what, 20_000, () -> workload.summary() + "\n" + SimNetwork.tail(cluster.logs(), 16_000));
            System.out.println(what + ": clean; " + workload.summary() + "; " + recorder.summary());
            // the run exercised what it claims to: every level delivered, and the views it caused
            for (final int level : new int[]{ServiceType.FIFO, ServiceType.AGREED, ServiceType.SAFE})
            {
                assertTrue(recorder.delivered(level) > 100, what + ": only " + recorder.delivered(level) + " " +
                    ServiceType.name(level) + " deliveries; " + workload.summary());
            }
        }
    }

    /** Every running node has the same view of exactly the running nodes. */
    static void awaitSettled(final String what, final Cluster cluster)
    {
        Cluster.await(what + ": nodes agree on one view", 15_000, () ->
        {
            if (!cluster.fullMesh())
            {
                return false;
            }
            long id = -1;
            for (int i = 1; i <= cluster.size(); i++)
            {
                final MsgcServer s = cluster.server(i);
                if (s != null)
                {
                    if (id != -1 && s.nodeViewId() != id)
                    {
                        return false;
                    }
                    id = s.nodeViewId();
                }
            }
            return true;
        }, () -> SimNetwork.tail(cluster.logs(), 8000));
    }

    private static void forSeeds(final ThrowingSeed body) throws Exception
    {
        for (long seed = SEED; seed < SEED + RUNS; seed++)
        {
            body.run(seed);
        }
    }

    private interface ThrowingSeed
    {
        void run(long seed) throws Exception;
    }

    @Test
    void aNodeKilledMidTrafficAndRestarted() throws Exception
    {
        forSeeds(seed -> scenario("kill node3", seed, 3, (cluster, workload, recorder) ->
        {
            workload.open(3, false);
            cluster.stop(3);
            awaitSettled("node3 killed", cluster);
            Thread.sleep(500);
            cluster.start(3);
            awaitSettled("node3 back", cluster);
            workload.open(3, true);
            Thread.sleep(500);
            assertTrue(recorder.views(MembershipFrame.CAUSE_TRANSITIONAL) > 0, "survivors got transitional views");
        }));
    }

    @Test
    void theSequencerKilledMidTraffic() throws Exception
    {
        forSeeds(seed -> scenario("kill the sequencer node1", seed, 3, (cluster, workload, recorder) ->
        {
            final String before = cluster.logs();
            assertTrue(before.contains("sequencer=node1"), "node1, the lowest node, orders");
            workload.open(1, false);
            cluster.stop(1);
            awaitSettled("node1 killed", cluster);
            Cluster.await("node2 takes over the order", 2000,
                () -> cluster.logs().substring(before.length()).contains("sequencer=node2"));
            Thread.sleep(500);
            cluster.start(1);
            awaitSettled("node1 back", cluster);
            workload.open(1, true);
            Thread.sleep(500);
        }));
    }

    /**
     * Four nodes: node3 is paused and node4 killed, so node1 proposes a view with node1..node3 that cannot finish;
     * node1 is killed once node2 has accepted it (stopped its clients and ended its stream), then node3 resumes. node2
     * and node3 must finish the old view alike without the coordinator, then merge with the restarted nodes.
     */
    @Test
    void theCoordinatorKilledInTheMiddleOfAViewChange() throws Exception
    {
        // a longer peer timeout: node1 must propose before it gives up on the paused node3
        forSeeds(seed -> scenario("kill the coordinator mid-change", seed, 4, 1500, (cluster, workload, recorder) ->
        {
            workload.open(1, false);
            workload.open(3, false);
            workload.open(4, false);
            int from = 0;
            String proposal = null;
            for (int attempt = 1; proposal == null; attempt++)
            {
                from = cluster.logs().length();
                cluster.server(3).faults().pause(true);
                try
                {
                    cluster.stop(4);
                    proposal = flushedProposal(cluster, from, 3000);
                    if (proposal != null)
                    {
                        cluster.stop(1);
                    }
                }
                finally
                {
                    cluster.server(3).faults().pause(false);
                }
                if (proposal == null)
                {
                    // node1 was busy with another change (a loaded machine): once more from a quiet cluster
                    assertTrue(attempt < 3, "node1 never proposed node1..node3 with node3 paused\n" +
                        SimNetwork.tail(cluster.logs(), 8000));
                    cluster.start(4);
                    awaitSettled("retry", cluster);
                    Thread.sleep(300);
                }
            }
            awaitSettled("node2 and node3 without node1 and node4", cluster);
            final String after = cluster.logs().substring(from);
            assertFalse(after.contains("node-view id=" + proposal + " "),
                "node1's proposal " + proposal + " was never installed: node1 died mid-change\n" + after);
            assertTrue(after.contains("nodes=[node2,node3] sequencer=node2"), after);
            Thread.sleep(300);
            cluster.start(1);
            cluster.start(4);
            awaitSettled("all four back", cluster);
            for (int i = 1; i <= 4; i++)
            {
                workload.open(i, true);
            }
            Thread.sleep(500);
        }));
    }

    /**
     * @return the id of a proposal of node1 for node1..node3 that node2 accepted (flushed for), logged after
     * {@code from}, or null when none within the timeout.
     */
    private static String flushedProposal(final Cluster cluster, final int from, final long timeoutMs)
        throws InterruptedException
    {
        final Pattern proposed = Pattern.compile("INFO node1 view-propose proposal=(\\d+) nodes=node1,node2,node3\n");
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline)
        {
            final String logs = cluster.logs().substring(from);
            final Matcher m = proposed.matcher(logs);
            while (m.find())
            {
                if (Pattern.compile("INFO node2 view-flush view=\\d+ proposal=" + m.group(1) +
                    " nodes=node1,node2,node3\n").matcher(logs).find())
                {
                    return m.group(1);
                }
            }
            Thread.sleep(10);
        }
        return null;
    }

    @Test
    void aNodePausedPastThePeerTimeoutThenResumed() throws Exception
    {
        forSeeds(seed -> scenario("pause", seed, 3, (cluster, workload, recorder) ->
        {
            // the sequencer first, then another node: each ends its old view alone when it runs again, then merges
            for (final int node : new int[]{1, 3})
            {
                workload.open(node, false);
                final int[] others = node == 1 ? new int[]{2, 3} : new int[]{1, 2};
                cluster.server(node).faults().pause(true);
                try
                {
                    Cluster.await("the others leave node" + node + " out", 3000,
                        () -> cluster.sees(others[0], others) && cluster.sees(others[1], others));
                    Thread.sleep(300);
                }
                finally
                {
                    cluster.server(node).faults().pause(false);
                }
                awaitSettled("node" + node + " merged back", cluster);
                workload.open(node, true);
                Thread.sleep(400);
            }
            assertTrue(recorder.views(MembershipFrame.CAUSE_TRANSITIONAL) > 0, () -> "transitional views\n" +
                SimNetwork.tail(cluster.logs(), 16_000));
        }));
    }

    /**
     * node3 is paused past the peer timeout, and meanwhile another node of its old view restarts: node3 refuses the
     * new incarnation until its old view is over, so it must end that view without the nodes that moved on, then
     * merge. (It stayed out for ever, and the others changed views every few milliseconds trying to take it in.)
     */
    @Test
    void aNodePausedWhileAnotherRestartsRejoins() throws Exception
    {
        forSeeds(seed -> scenario("pause node3, restart another", seed, 3, (cluster, workload, recorder) ->
        {
            for (final int restarted : new int[]{1, 2})
            {
                final int other = 3 - restarted;
                workload.open(3, false);
                cluster.server(3).faults().pause(true);
                try
                {
                    Cluster.await("node1 and node2 leave node3 out", 3000,
                        () -> cluster.sees(1, 1, 2) && cluster.sees(2, 1, 2));
                    workload.open(restarted, false);
                    cluster.stop(restarted);
                    Cluster.await("node" + other + " alone", 3000, () -> cluster.sees(other, other));
                    cluster.start(restarted);
                    Cluster.await("node" + restarted + " back", 5000,
                        () -> cluster.sees(1, 1, 2) && cluster.sees(2, 1, 2));
                    workload.open(restarted, true);
                    Thread.sleep(300);
                }
                finally
                {
                    cluster.server(3).faults().pause(false);
                }
                awaitSettled("node3 resumed after node" + restarted + " restarted", cluster);
                workload.open(3, true);
                Thread.sleep(300);
            }
        }));
    }

    @Test
    void partitionsHealIntoOneAgreedView() throws Exception
    {
        forSeeds(seed -> scenario("partition", seed, 3, (cluster, workload, recorder) ->
        {
            // {1,2} | {3}, then {1} | {2,3}: the sequencer on the larger side, then alone
            for (final int lone : new int[]{3, 1})
            {
                for (int i = 1; i <= 3; i++)
                {
                    if (i == lone)
                    {
                        cluster.server(i).faults().partition(lone == 1 ? new int[]{1, 2} : new int[]{0, 1});
                    }
                    else
                    {
                        cluster.server(i).faults().partition(lone - 1);
                    }
                }
                final int[] rest = lone == 1 ? new int[]{2, 3} : new int[]{1, 2};
                Cluster.await("split off node" + lone, 4000, () -> cluster.sees(lone, lone) &&
                    cluster.sees(rest[0], rest) && cluster.sees(rest[1], rest));
                Thread.sleep(500); // both sides work on, members join and leave on each
                for (int i = 1; i <= 3; i++)
                {
                    cluster.server(i).faults().heal();
                }
                awaitSettled("healed", cluster);
                Thread.sleep(300);
            }
        }));
    }

    /**
     * Members on every node join one group at the same moment, send AGREED messages to it at once, and half of them
     * leave again at once, for several rounds, while the workload runs: every member sees the same views with the
     * same ids, and the last view of a round holds every joiner.
     */
    @Test
    void concurrentJoinsOfOneGroupOnEveryNode() throws Exception
    {
        forSeeds(seed -> scenario("concurrent joins", seed, 3, (cluster, workload, recorder) ->
        {
            final List<List<HistoryRecorder.Member>> perNode = new ArrayList<>();
            for (int i = 1; i <= 3; i++)
            {
                final List<HistoryRecorder.Member> members = new ArrayList<>();
                for (int k = 0; k < 3; k++)
                {
                    members.add(recorder.connect("hot" + i + k, i, cluster.address(i)));
                }
                perNode.add(members);
            }
            for (int round = 0; round < 4; round++)
            {
                final String group = "hot" + round;
                final CountDownLatch go = new CountDownLatch(1);
                final List<Thread> threads = new ArrayList<>();
                final List<Throwable> failures = new ArrayList<>();
                for (final List<HistoryRecorder.Member> members : perNode)
                {
                    final Thread t = new Thread(() ->
                    {
                        try
                        {
                            go.await();
                            for (final HistoryRecorder.Member m : members)
                            {
                                assertTrue(m.join(group));
                            }
                            for (int n = 0; n < 20; n++)
                            {
                                for (final HistoryRecorder.Member m : members)
                                {
                                    m.send(n % 2 == 0 ? ServiceType.AGREED : ServiceType.FIFO, group);
                                }
                            }
                            members.get(0).leave(group);
                        }
                        catch (final Throwable ex)
                        {
                            synchronized (failures)
                            {
                                failures.add(ex);
                            }
                        }
                    });
                    t.start();
                    threads.add(t);
                }
                go.countDown();
                for (final Thread t : threads)
                {
                    t.join();
                }
                assertEquals(List.of(), failures);
                // the round ends with the six that stayed in one view, the same at each of them
                final List<String> stayed = new ArrayList<>();
                for (final List<HistoryRecorder.Member> members : perNode)
                {
                    stayed.add(members.get(1).memberId());
                    stayed.add(members.get(2).memberId());
                }
                Cluster.await("round " + round + " settles in one view of the six", 5000, () ->
                {
                    final String first = recorder.lastView(stayed.get(0), group);
                    if (first == null || !first.contains(" LEAVE ") && !first.contains(" JOIN "))
                    {
                        return false;
                    }
                    for (final String id : stayed)
                    {
                        if (!first.equals(recorder.lastView(id, group)))
                        {
                            return false;
                        }
                    }
                    return first.substring(first.indexOf('[')).split(",").length == 6;
                }, () -> stayed + " " + stayed.stream().map(id -> recorder.lastView(id, group)).toList());
            }
        }));
    }

    /**
     * Random faults, one after another, sometimes overlapping: kills and restarts, pauses past the peer timeout or
     * not, partitions that heal, for {@code -Dmsgc.vs.soak} seconds per seed; then everything heals and the checker
     * runs. Off unless asked for.
     */
    @Test
    void randomFaultsWhenAskedFor() throws Exception
    {
        final int seconds = SOAK_SECONDS;
        Assumptions.assumeTrue(seconds > 0, "a soak: -Dmsgc.vs.soak=SECONDS to run it");
        forSeeds(seed -> scenario("random faults", seed, 3, (cluster, workload, recorder) ->
        {
            final Random random = new Random(seed * 31 + 7);
            final boolean[] down = new boolean[4];
            final boolean[] paused = new boolean[4];
            final StringBuilder plan = new StringBuilder();
            final long end = System.currentTimeMillis() + seconds * 1000L;
            try
            {
                while (System.currentTimeMillis() < end)
                {
                    final int node = 1 + random.nextInt(3);
                    final int fault = random.nextInt(4);
                    int live = 0;
                    for (int i = 1; i <= 3; i++)
                    {
                        live += down[i] ? 0 : 1;
                    }
                    if (fault == 0 && !down[node] && !paused[node] && live > 1)
                    {
                        plan.append(" kill").append(node);
                        workload.open(node, false);
                        cluster.stop(node);
                        down[node] = true;
                    }
                    else if (fault == 1 && down[node])
                    {
                        plan.append(" start").append(node);
                        cluster.start(node);
                        down[node] = false;
                        workload.open(node, true);
                    }
                    else if (fault == 2 && !down[node])
                    {
                        plan.append(paused[node] ? " resume" : " pause").append(node);
                        workload.open(node, paused[node]);
                        paused[node] = !paused[node];
                        cluster.server(node).faults().pause(paused[node]);
                    }
                    else if (fault == 3)
                    {
                        final int other = 1 + random.nextInt(3);
                        if (other != node && !down[node] && !down[other])
                        {
                            plan.append(" cut").append(node).append('-').append(other);
                            cluster.server(node).faults().partition(other - 1);
                            cluster.server(other).faults().partition(node - 1);
                        }
                        else
                        {
                            plan.append(" heal");
                            healAll(cluster);
                        }
                    }
                    Thread.sleep(100 + random.nextInt(1400));
                }
            }
            finally
            {
                System.out.println("random faults seed=" + seed + ":" + plan);
                healAll(cluster);
                for (int i = 1; i <= 3; i++)
                {
                    if (paused[i])
                    {
                        cluster.server(i).faults().pause(false);
                    }
                    if (down[i])
                    {
                        cluster.start(i);
                    }
                    workload.open(i, true);
                }
            }
            awaitSettled("healed after" + plan, cluster);
            Thread.sleep(500);
        }));
    }

    private static void healAll(final Cluster cluster)
    {
        for (int i = 1; i <= cluster.size(); i++)
        {
            if (cluster.server(i) != null)
            {
                cluster.server(i).faults().heal();
            }
        }
    }
}
