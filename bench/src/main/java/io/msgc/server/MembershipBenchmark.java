package io.msgc.server;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Loop time of membership changes: N members of node 1 join, and both engines of a two-node {@link BenchCluster}
 * (in one thread, with an in-memory transport) process everything those joins cause: the requests to the
 * sequencer (node 0), the agreed events, their installation in both group tables, and the views to local members.
 * One operation is all N joins; the score is the time of both nodes together, an upper bound of one node's.
 * <ul>
 *   <li>{@code distinctGroups}: each member joins a group of its own (one view per join, to the joiner);</li>
 *   <li>{@code sharedGroup}: every member joins one group. Node 1, where the members are, sends each join's view
 *   to every member already in (the view lists them all): O(N) per join by the protocol, so N is smaller
 *   there; node 0, with no member of its own in the group, only keeps the table.</li>
 * </ul>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(1)
public class MembershipBenchmark
{
    /** A cluster whose node 1 has N members ready to join. */
    public abstract static class Joins
    {
        BenchCluster cluster;
        BenchCluster.Node node;
        ClientSession[] members;
        String[] groups;

        abstract int joins();

        abstract String group(int i);

        abstract int expectedGroups();

        /**
         * A fresh cluster and fresh members for each operation.
         *
         * @throws IOException when the poller cannot be opened.
         */
        @Setup(Level.Iteration)
        public void setup() throws IOException
        {
            cluster = new BenchCluster(2, 64 << 20);
            node = cluster.node(1);
            members = new ClientSession[joins()];
            groups = new String[joins()];
            for (int i = 0; i < members.length; i++)
            {
                members[i] = node.discardingMember("m" + i);
                groups[i] = group(i);
            }
        }

        /** Check that every join was installed, and close the cluster. */
        @TearDown(Level.Iteration)
        public void tearDown()
        {
            final int installed = cluster.node(0).table.groups().size();
            cluster.close();
            if (installed != expectedGroups())
            {
                throw new IllegalStateException(installed + " groups installed on node 0, expected " +
                    expectedGroups());
            }
        }

        void run()
        {
            for (int i = 0; i < members.length; i++)
            {
                node.join(members[i], groups[i]);
            }
            cluster.settle();
        }
    }

    /** Each member joins a group of its own. */
    @State(Scope.Thread)
    public static class DistinctGroups extends Joins
    {
        /** Joins per operation. */
        @Param({"100000"})
        int joins;

        int joins()
        {
            return joins;
        }

        String group(final int i)
        {
            return "g" + i;
        }

        int expectedGroups()
        {
            return joins;
        }
    }

    /** Every member joins the same group. */
    @State(Scope.Thread)
    public static class SharedGroup extends Joins
    {
        /** Joins per operation. */
        @Param({"10000"})
        int joins;

        int joins()
        {
            return joins;
        }

        String group(final int i)
        {
            return "shared";
        }

        int expectedGroups()
        {
            return 1;
        }
    }

    /**
     * N joins of distinct groups, and everything they cause on both nodes.
     *
     * @param state the cluster.
     */
    @Benchmark
    public void distinctGroups(final DistinctGroups state)
    {
        state.run();
    }

    /**
     * N joins of one group, and everything they cause on both nodes.
     *
     * @param state the cluster.
     */
    @Benchmark
    public void sharedGroup(final SharedGroup state)
    {
        state.run();
    }
}
