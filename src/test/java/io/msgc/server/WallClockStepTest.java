package io.msgc.server;

import io.msgc.admin.EventLog;
import io.msgc.admin.NodeCounters;
import io.msgc.conf.ListenerConfig;
import io.msgc.conf.MsgcConfig;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Issue 9, defect 10: steps of a node's wall clock (NTP) neither stop its heartbeats nor fire false peer-downs:
 * every deadline of the server runs on the monotonic clock.
 */
class WallClockStepTest
{
    private static final long HOUR_MS = 3_600_000;

    @Test
    void wallClockStepsBackAndForwardLeaveTheLinkUp() throws Exception
    {
        try (Cluster cluster = new Cluster(2))
        {
            cluster.start(2);
            final AtomicLong step = new AtomicLong();
            final EpochClock steppedClock = () -> System.currentTimeMillis() + step.get();
            final ByteArrayOutputStream node1Log = new ByteArrayOutputStream();
            final ListenerConfig listener = MsgcConfig.parse("x.conf", "").listener();
            final ServerAgent node1 = new ServerAgent(cluster.config(), listener,
                cluster.config().peer("node1"), new EventLog("node1", new PrintStream(node1Log, true), "NOTICE"),
                NodeCounters.inMemory(), null,
                MsgcConfig.of(cluster.config(), listener), SystemNanoClock.INSTANCE, steppedClock);
            node1.bind();
            final AgentRunner runner = new AgentRunner(node1.idleStrategy(), Throwable::printStackTrace, null, node1);
            AgentRunner.startOnThread(runner);
            try
            {
                Cluster.await("mesh", 5000, () -> node1.nodeView().reachableMask() == 3 && cluster.sees(2, 1, 2));
                final long viewId = node1.nodeView().viewId();

                step.set(-HOUR_MS); // back: heartbeats scheduled on the wall clock would stop for an hour
                Thread.sleep(1500); // more than two peer timeouts (600 ms)
                step.set(HOUR_MS); // forward: every peer would look silent for an hour
                Thread.sleep(1500);

                final String logs = node1Log + cluster.logs();
                assertFalse(logs.contains("peer-down"), logs);
                assertEquals(viewId, node1.nodeView().viewId(), logs);
                assertEquals(3, node1.nodeView().reachableMask());
            }
            finally
            {
                runner.close();
            }
        }
    }
}
