package io.msgc.cli;

import io.msgc.conf.HostPort;
import io.msgc.server.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real daemon processes on one shared config file: mesh, operator view, a message from node1 to a
 * listener on node3 through the real console, crash and restart, clean stop on SIGTERM.
 */
class DaemonProcessTest
{
    @TempDir
    Path dir;

    private Path writeConfig(final String prefix, final int port) throws Exception
    {
        final Path file = dir.resolve("msgc_server.conf");
        Files.writeString(file, "# three nodes on one machine\n" +
            "msgc_server {\n" +
            "  heartbeat_interval_ms = 100\n" +
            "  peer_timeout_ms = 800\n" +
            "  reconnect_initial_ms = 50\n" +
            "  reconnect_interval = 1\n" +
            "  counters_file = \"" + dir.resolve("%n.counters") + "\"\n" +
            "  peers = [\n" +
            "    node1 = \"" + prefix + "1:" + port + "\"\n" +
            "    node2 = \"" + prefix + "2:" + port + "\"\n" +
            "    node3 = \"" + prefix + "3:" + port + "\"\n" +
            "  ]\n" +
            "}\n");
        return file;
    }

    @Test
    void threeDaemonsMeshCarryMessagesAndHeal() throws Exception
    {
        final String prefix = Loopback.block();
        final int port = Loopback.freePort(prefix + "1");
        final Path config = writeConfig(prefix, port);
        final String allUp = "node-view id=";
        try (DaemonProcess n1 = DaemonProcess.daemon(config, "node1");
            DaemonProcess n2 = DaemonProcess.daemon(config, "node2");
            DaemonProcess n3 = DaemonProcess.daemon(config, "node3"))
        {
            for (final DaemonProcess n : new DaemonProcess[]{n1, n2, n3})
            {
                assertTrue(n.awaitOutput("nodes=[node1,node2,node3]", 20_000), n.output());
            }
            assertTrue(n1.output().contains(allUp));
            final String peers = AdminClient.request(new HostPort(prefix + "1", port), "peers", 3000);
            assertTrue(peers.matches("(?s).*node2\\s+up\\s.*node3\\s+up\\s.*"), peers);

            // a listener on node3 sees what a sender on node1 sends, with membership lines
            try (DaemonProcess listener = DaemonProcess.start("io.msgc.cli.MsgcConsole",
                "listen", "-s", prefix + "3:" + port, "-n", "alice", "--count", "1", "chat"))
            {
                assertTrue(listener.awaitOutput("membership group=chat", 20_000), listener.output());
                assertTrue(listener.output().contains("cause=JOIN members=[#alice#node3] me=0"), listener.output());
                Thread.sleep(300);
                final int sent = DaemonProcess.start("io.msgc.cli.MsgcConsole",
                    "send", "-s", prefix + "1:" + port, "-n", "bob", "chat", "hello from node1").waitFor(20_000);
                assertEquals(0, sent);
                assertEquals(0, listener.waitFor(20_000), listener.output());
                assertTrue(listener.output().contains("message from=#bob#node1 groups=chat type=0 service=FIFO " +
                    "len=16 text=hello from node1"), listener.output());
            }

            // crash node2: the others see it, restart: the mesh heals
            n2.kill();
            assertTrue(n1.awaitOutput("peer-down node=node2", 5000), n1.output());
            assertTrue(n3.awaitOutput("peer-down node=node2", 5000), n3.output());
            try (DaemonProcess again = DaemonProcess.daemon(config, "node2"))
            {
                assertTrue(again.awaitOutput("nodes=[node1,node2,node3]", 20_000), again.output());
                assertTrue(n1.awaitOutput("restarted=yes", 10_000), n1.output());
                // SIGTERM: a clean stop exits 0 (not 143, "terminated by TERM")
                final int exit = again.terminate();
                assertEquals(0, exit, again.output());
            }
        }
    }

    @Test
    void checkPrintsTheEffectiveConfigOrEveryError() throws Exception
    {
        final Path good = writeConfig("127.0.0.", 4809);
        try (DaemonProcess check = DaemonProcess.start("io.msgc.cli.MsgcDaemon", "--check", "-c", good.toString()))
        {
            assertEquals(0, check.waitFor(20_000), check.output());
            assertTrue(check.output().contains("is valid"), check.output());
        }
        final Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "msgc_server {\n  prot = 4809\n  peers = [ node1 = \"127.0.0.1:99999\" ]\n}\n");
        try (DaemonProcess check = DaemonProcess.start("io.msgc.cli.MsgcDaemon", "--check", "-c", bad.toString()))
        {
            assertEquals(2, check.waitFor(20_000), check.output());
            assertTrue(check.output().contains(bad + ":2:3: unknown option 'prot' in msgc_server"), check.output());
            assertTrue(check.output().contains(bad + ":3:"), check.output());
        }
    }
}
