package io.msgc.server;

import io.msgc.admin.EventLog;
import io.msgc.admin.ReloadResult;
import io.msgc.client.MsgcClient;
import io.msgc.client.MsgcException;
import io.msgc.client.TestMember;
import io.msgc.conf.ClientConfig;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.Secret;
import io.msgc.wire.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rolling secret change without a restart: each node's secret file gets the new secret first with the old one
 * as previous, the node reloads (the file is re-read), links that break and re-form meanwhile authenticate with the
 * secret both sides hold, and once every node holds only the new secret the old one is refused. Connections made
 * before a reload stay.
 */
class SecretRotationTest
{
    private static final String OLD = "the-old-secret-000001";
    private static final String NEW = "the-new-secret-000002";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true);
    private final List<EventLog> eventLogs = new ArrayList<>();

    @Test
    void aRollingChangeOfTheSecretNeedsNoRestart() throws Exception
    {
        final String prefix = Loopback.block();
        final int port = Loopback.freePort(prefix + "1");
        final Path[] secrets = {dir.resolve("node1.secret"), dir.resolve("node2.secret")};
        final Path[] configs = new Path[2];
        for (int i = 0; i < 2; i++)
        {
            write(secrets[i], OLD + "\n");
            configs[i] = dir.resolve("node" + (i + 1) + ".conf");
            Files.writeString(configs[i], "msgc_server {\n  peers = [ node1 = \"" + prefix + "1:" + port + "\"\n" +
                "    node2 = \"" + prefix + "2:" + port + "\" ]\n  heartbeat_interval_ms = 100\n" +
                "  peer_timeout_ms = 600\n  reconnect_initial_ms = 50\n  reconnect_interval = 1\n" +
                "  auth_secret_file = \"node" + (i + 1) + ".secret\"\n}\n");
        }
        final InetSocketAddress at1 = new InetSocketAddress(prefix + "1", port);
        final InetSocketAddress at2 = new InetSocketAddress(prefix + "2", port);
        try (MsgcServer node1 = start(configs[0], "node1");
            MsgcServer node2 = start(configs[1], "node2"))
        {
            awaitMesh(node1, node2);
            try (TestMember early = TestMember.connect("early", client(at1, "early", OLD, null)))
            {
                early.joinAndWait("g");

                // node1 first: the new secret, the old one still accepted
                write(secrets[0], NEW + "\n" + OLD + "\n");
                final ReloadResult rolled = node1.reloadFile();
                assertTrue(rolled.ok(), rolled.text());
                assertEquals("msgc_server.auth_secret_file", rolled.applied().get(0).option(), rolled.text());
                assertTrue(logs().contains("reload-applied option=msgc_server.auth_secret_file"), logs());
                relink(node1, node2);
                connects(at1, NEW, null);
                connects(at1, OLD, null);
                refused(at2, NEW, null);

                // then node2
                write(secrets[1], NEW + "\n" + OLD + "\n");
                assertTrue(node2.reloadFile().ok());
                relink(node1, node2);
                connects(at2, NEW, null);

                // the roll is done: the old secret goes
                write(secrets[0], NEW + "\n");
                write(secrets[1], NEW + "\n");
                assertTrue(node1.reloadFile().ok());
                assertTrue(node2.reloadFile().ok());
                relink(node1, node2);
                refused(at1, OLD, null);
                refused(at2, OLD, null);
                // a client that rolled early (new secret first, old as previous) was fine all along
                connects(at1, NEW, OLD);

                // a connection made before the roll stays
                try (TestMember late = TestMember.connect("late", client(at2, "late", NEW, null)))
                {
                    late.joinAndWait("g");
                    Cluster.await("both in g", 3000, () -> early.views.stream().anyMatch(v -> v.members.size() == 2));
                    late.send(1, "g");
                    early.awaitMessages(1, 5000);
                }
            }
            // a file with errors changes nothing: the node keeps the secret it has
            Files.setPosixFilePermissions(secrets[0], PosixFilePermissions.fromString("rw-r--r--"));
            final ReloadResult bad = node1.reloadFile();
            assertTrue(!bad.ok() && bad.text().contains("is open to group or others (mode 0644)"), bad.text());
            connects(at1, NEW, null);
        }
    }

    private MsgcServer start(final Path config, final String node) throws Exception
    {
        final MsgcConfig loaded = MsgcConfig.load(config);
        final EventLog eventLog = new EventLog(node, log, "NOTICE");
        eventLogs.add(eventLog);
        return MsgcServer.start(loaded.server(), loaded.listener(), node, eventLog, config);
    }

    private String logs()
    {
        for (final EventLog eventLog : eventLogs)
        {
            eventLog.flush(2000); // lines are written off the loop
        }
        return logBytes.toString();
    }

    /** Break the link and let it re-form: the new handshake uses the secrets the nodes hold now. */
    private void relink(final MsgcServer node1, final MsgcServer node2)
    {
        node1.faults().partition(1);
        node2.faults().partition(0);
        Cluster.await("split", 5000, () -> node1.reachableNodes() == 1 && node2.reachableNodes() == 2, this::logs);
        node1.faults().heal();
        node2.faults().heal();
        awaitMesh(node1, node2);
    }

    private void awaitMesh(final MsgcServer node1, final MsgcServer node2)
    {
        Cluster.await("mesh", 8000, () -> node1.reachableNodes() == 3 && node2.reachableNodes() == 3, this::logs);
    }

    private static void write(final Path file, final String text) throws Exception
    {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private static ClientConfig client(
        final InetSocketAddress server, final String name, final String secret, final String previous)
    {
        return ClientConfig.builder().server(server.getHostString(), server.getPort()).name(name).reconnect(false)
            .connectTimeout(3).secret(Secret.of(secret, previous)).build();
    }

    private static void connects(final InetSocketAddress server, final String secret, final String previous)
        throws Exception
    {
        MsgcClient.connect(client(server, "c" + System.nanoTime() % 100_000, secret, previous)).close();
    }

    private static void refused(final InetSocketAddress server, final String secret, final String previous)
    {
        final MsgcException ex = assertThrows(MsgcException.class, () -> connects(server, secret, previous));
        assertEquals(ErrorCode.AUTH_FAILED, ex.code(), ex.getMessage());
    }
}
