package io.msgc.admin;

import io.msgc.conf.ServerConfig;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The counters file: what the node writes, a second mapping (as another process has) reads; header, liveness,
 * the error log, the per-node default path, and the refusal to take over the file of a live process.
 */
class CountersFileTest
{
    @TempDir
    Path dir;

    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void aReaderSeesTheHeaderCountersAndErrorsOfTheWriter() throws Exception
    {
        final Path path = dir.resolve("node1.counters");
        try (CountersFile writer = CountersFile.create(path, "node1", "1.2.3", SELF, 1_000L, 1500))
        {
            final NodeCounters counters = new NodeCounters(new CountersManager(
                writer.metadataBuffer(), writer.valuesBuffer(), StandardCharsets.US_ASCII));
            final NodeCounters.PeerCounters node2 = counters.newPeer("node2");
            counters.messagesInClient.incrementOrdered();
            counters.messagesInClient.incrementOrdered();
            counters.bytesInClient.getAndAddOrdered(300);
            counters.clientsConnected.setOrdered(7);
            node2.state().setOrdered(CounterKind.PEER_STATE_UP);
            node2.bytesIn().setOrdered(1234);
            writer.heartbeat(5_000L);
            new DistinctErrorLog(writer.errorLogBuffer(), SystemEpochClock.INSTANCE)
                .record(new IllegalStateException("boom"));

            try (CountersFile reader = CountersFile.open(path))
            {
                assertEquals("node1", reader.node());
                assertEquals("1.2.3", reader.version());
                assertEquals(SELF, reader.pid());
                assertEquals(1_000L, reader.startTimeMs());
                assertEquals(5_000L, reader.heartbeatMs());
                assertEquals(0, reader.stopTimeMs());
                assertTrue(reader.isWriterAlive());
                final CountersSnapshot snapshot = CountersSnapshot.read(reader);
                assertEquals(2, snapshot.value(CounterKind.MESSAGES_IN_CLIENT));
                assertEquals(300, snapshot.value(CounterKind.BYTES_IN_CLIENT));
                assertEquals(7, snapshot.value(CounterKind.CLIENTS_CONNECTED));
                assertEquals("up", snapshot.peerState("node2"));
                assertEquals(1234, snapshot.peerValue("node2", CounterKind.PEER_BYTES_IN));
                assertEquals(1, snapshot.distinctErrors());
                assertTrue(counters.describe().contains("messages-from-clients 2\n"), counters.describe());
            }
            writer.markStopped(9_000L);
            try (CountersFile reader = CountersFile.open(path))
            {
                assertEquals(9_000L, reader.stopTimeMs());
            }
        }
        assertFalse(Files.exists(path), "a clean close removes the file");
    }

    @Test
    void theFileOfALiveOtherProcessIsNotTakenOver() throws Exception
    {
        final Path path = dir.resolve("taken.counters");
        final long other = ProcessHandle.current().parent().orElseThrow().pid();
        final CountersFile first = CountersFile.create(path, "node1", "v", other, 1L, 1500);
        try
        {
            final IOException ex = assertThrows(IOException.class,
                () -> CountersFile.create(path, "node1", "v", SELF, 2L, 1500));
            assertTrue(ex.getMessage().contains("belongs to the running process " + other), ex.getMessage());
        }
        finally
        {
            first.close();
        }
    }

    @Test
    void aStaleFileOfAGoneProcessIsReplaced() throws Exception
    {
        final Path path = dir.resolve("stale.counters");
        final long gone = deadPid();
        final CountersFile stale = CountersFile.create(path, "node1", "old", gone, 1L, 1500);
        try (CountersFile reader = CountersFile.open(path))
        {
            assertFalse(reader.isWriterAlive());
            assertTrue(CountersSnapshot.read(reader).liveness(System.currentTimeMillis()).startsWith("STALE"));
        }
        try (CountersFile fresh = CountersFile.create(path, "node1", "new", SELF, 2L, 1500))
        {
            assertEquals("new", fresh.version());
        }
        finally
        {
            stale.close();
        }
    }

    @Test
    void garbageIsNotACountersFile() throws Exception
    {
        final Path path = dir.resolve("garbage");
        Files.write(path, new byte[8192]);
        final IOException ex = assertThrows(IOException.class, () -> CountersFile.open(path));
        assertTrue(ex.getMessage().contains("not a msgc counters file"), ex.getMessage());
        Files.write(path, new byte[10]);
        assertThrows(IOException.class, () -> CountersFile.open(path));
    }

    @Test
    void theDefaultPathIsPerNodeAndPerAddress()
    {
        final ServerConfig config = ServerConfig.builder().peer("node1", "127.0.0.1", 4809)
            .peer("node2", "127.0.0.2", 4809).build();
        final Path one = CountersFile.path(config, "node1");
        final Path two = CountersFile.path(config, "node2");
        assertEquals("msgc-node1-127.0.0.1-4809.counters", one.getFileName().toString());
        assertEquals("msgc-node2-127.0.0.2-4809.counters", two.getFileName().toString());
        if (Files.isDirectory(Path.of("/dev/shm")))
        {
            assertEquals(Path.of("/dev/shm"), one.getParent());
        }
        final ServerConfig set = ServerConfig.builder().peer("node1", "127.0.0.1", 4809)
            .countersFile(dir.resolve("x.counters").toString()).build();
        assertEquals(dir.resolve("x.counters"), CountersFile.path(set, "node1"));
        final ServerConfig perNode = ServerConfig.builder().peer("node1", "127.0.0.1", 4809)
            .countersFile(dir.resolve("%n.counters").toString()).build();
        assertEquals(dir.resolve("node1.counters"), CountersFile.path(perNode, "node1"));
    }

    private static long deadPid()
    {
        for (long pid = 4_000_000L; ; pid--)
        {
            if (ProcessHandle.of(pid).isEmpty())
            {
                return pid;
            }
        }
    }
}
