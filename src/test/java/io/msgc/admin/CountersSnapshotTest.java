package io.msgc.admin;

import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three views of a counters file: Prometheus text, /healthz JSON, msgc stat text.
 */
class CountersSnapshotTest
{
    @TempDir
    Path dir;

    private CountersFile file;
    private NodeCounters counters;
    private NodeCounters.PeerCounters node2;
    private NodeCounters.PeerCounters node3;
    private long now;

    @BeforeEach
    void setUp() throws Exception
    {
        now = System.currentTimeMillis();
        file = CountersFile.create(dir.resolve("c"), "node1", "9.9.9", ProcessHandle.current().pid(), now - 60_000,
            1500);
        counters = new NodeCounters(new CountersManager(file.metadataBuffer(), file.valuesBuffer(),
            StandardCharsets.US_ASCII));
        node2 = counters.newPeer("node2");
        node3 = counters.newPeer("node3");
        file.heartbeat(now);
    }

    @AfterEach
    void tearDown()
    {
        file.close();
    }

    @Test
    void prometheusTextHasHelpTypeAndOneSamplePerSeries()
    {
        counters.messagesInClient.setOrdered(5);
        counters.messagesInPeer.setOrdered(6);
        counters.droppedUnreliable.setOrdered(2);
        counters.loopMaxTurnNs.setOrdered(1_500_000);
        node2.state().setOrdered(CounterKind.PEER_STATE_UP);
        node2.lastHeartbeat().setOrdered(1_700_000_000_123L);
        node3.state().setOrdered(CounterKind.PEER_STATE_REFUSED);
        final String text = CountersSnapshot.read(file).prometheus();

        assertTrue(text.contains("# HELP msgc_messages_in_total DATA messages received\n" +
            "# TYPE msgc_messages_in_total counter\n" +
            "msgc_messages_in_total{source=\"client\"} 5\n" +
            "msgc_messages_in_total{source=\"peer\"} 6\n"), text);
        assertTrue(text.contains("msgc_dropped_total{reason=\"unreliable\"} 2\n"), text);
        assertTrue(text.contains("# TYPE msgc_clients_connected gauge\n"), text);
        assertTrue(text.contains("msgc_loop_max_turn_seconds 0.001500000\n"), text);
        assertTrue(text.contains("msgc_peer_up{peer=\"node2\"} 1\nmsgc_peer_up{peer=\"node3\"} 0\n"), text);
        assertTrue(text.contains("msgc_peer_state{peer=\"node3\",state=\"refused\"} 1\n"), text);
        assertTrue(text.contains("msgc_peer_state{peer=\"node3\",state=\"up\"} 0\n"), text);
        assertTrue(text.contains("msgc_peer_last_heartbeat_timestamp_seconds{peer=\"node2\"} 1700000000.123\n"), text);
        assertTrue(text.contains("msgc_info{node=\"node1\",version=\"9.9.9\"} 1\n"), text);

        // the exposition format: every sample line is NAME{LABELS} VALUE, every metric has one HELP and one TYPE
        final Pattern sample = Pattern.compile("([a-z_]+)(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\\})? " +
            "-?[0-9]+(\\.[0-9]+)?");
        final Set<String> typed = new HashSet<>();
        final Set<String> helped = new HashSet<>();
        for (final String line : text.split("\n"))
        {
            if (line.startsWith("# HELP "))
            {
                assertTrue(helped.add(line.split(" ")[2]), "HELP twice: " + line);
            }
            else if (line.startsWith("# TYPE "))
            {
                assertTrue(typed.add(line.split(" ")[2]), "TYPE twice: " + line);
                assertTrue(line.endsWith(" counter") || line.endsWith(" gauge"), line);
            }
            else
            {
                final Matcher m = sample.matcher(line);
                assertTrue(m.matches(), "bad sample line: " + line);
                assertTrue(typed.contains(m.group(1)), "sample before its TYPE: " + line);
                if (typed.contains(m.group(1)) && text.contains("# TYPE " + m.group(1) + " counter"))
                {
                    assertTrue(m.group(1).endsWith("_total"), "a counter is named *_total: " + line);
                }
            }
        }
        assertEquals(typed, helped);
    }

    @Test
    void healthIsOkOnlyWithEveryPeerUpAndTheLoopTurning()
    {
        node2.state().setOrdered(CounterKind.PEER_STATE_UP);
        node3.state().setOrdered(0);
        CountersSnapshot snapshot = CountersSnapshot.read(file);
        assertFalse(snapshot.healthy(now));
        assertTrue(snapshot.healthJson(now).startsWith("{\"status\":\"degraded\",\"node\":\"node1\","), snapshot
            .healthJson(now));
        assertTrue(snapshot.healthJson(now).contains("\"peers\":{\"node2\":\"up\",\"node3\":\"down\"}"));

        node3.state().setOrdered(CounterKind.PEER_STATE_UP);
        snapshot = CountersSnapshot.read(file);
        assertTrue(snapshot.healthy(now));
        assertTrue(snapshot.healthJson(now).startsWith("{\"status\":\"ok\""), snapshot.healthJson(now));

        // a loop that stopped turning (stuck, or the process stopped) is not healthy, whatever the peers say
        final long later = now + 5_000;
        assertTrue(snapshot.loopStalled(later));
        assertFalse(snapshot.healthy(later));
        assertTrue(snapshot.healthJson(later).startsWith("{\"status\":\"loop-stalled\""));
        assertTrue(snapshot.liveness(later).startsWith("STALLED: the event loop has not turned for 5.0 s"),
            snapshot.liveness(later));
    }

    @Test
    void statTextShowsVersionLivenessCountersAndPeers()
    {
        counters.clientsConnected.setOrdered(3);
        node2.state().setOrdered(CounterKind.PEER_STATE_UP);
        node2.ups().setOrdered(2);
        node2.lastHeartbeat().setOrdered(now - 200);
        final String text = CountersSnapshot.read(file).statText(now, "the-path");
        assertTrue(text.startsWith("node node1  msgc 9.9.9  pid " + ProcessHandle.current().pid() + "\n" +
            "state running\n"), text);
        assertTrue(text.contains("(up 0h01m00s)"), text);
        assertTrue(text.contains("file the-path\n"), text);
        assertTrue(text.matches("(?s).*clients connected\\s+3\n.*"), text);
        assertTrue(text.matches("(?s).*node2\\s+up\\s+0\\s+0\\s+2\\s+0\\s+0\\.2 s ago\n.*"), text);
        assertTrue(text.matches("(?s).*node3\\s+down\\s.*never\n.*"), text);
    }
}
