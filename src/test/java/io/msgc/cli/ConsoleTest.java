package io.msgc.cli;

import io.msgc.admin.Version;
import io.msgc.server.AdminAccess;
import io.msgc.server.Cluster;
import io.msgc.server.Loopback;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command-line conventions of {@code msgc} and {@code msgcd}: help on stdout with exit 0, unknown options
 * and bad values refused with exit 2 and a message (never a Java exception), {@code send} that waits for the
 * server and fails on its ERROR, reads stdin, {@code listen --json}, and exit codes of the health commands.
 */
class ConsoleTest
{
    private static final List<String> COMMANDS =
        List.of("peers", "health", "groups", "stats", "reload", "stat", "errors", "listen", "send");

    private static void assertUsageError(final Console result, final String message)
    {
        assertEquals(2, result.exit(), result.toString());
        assertTrue(result.err().contains(message), result.toString());
        assertFalse(result.err().contains("Exception") || result.err().contains("\tat "), result.toString());
    }

    @Test
    void helpGoesToStandardOutputWithExitZero()
    {
        final Console help = Console.run("--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().startsWith("usage: msgc COMMAND [OPTIONS]"), help.out());
        Console result;
        for (final String command : COMMANDS)
        {
            assertTrue(help.out().contains("  " + command + " "), command);
            result = Console.run(command, "--help");
            assertEquals(0, result.exit(), result.toString());
            assertTrue(result.out().startsWith("usage: msgc " + command), result.toString());
            assertEquals("", result.err());
        }
        result = Console.run("--version");
        assertEquals(0, result.exit());
        assertEquals("msgc " + Version.VERSION + " (Java " + System.getProperty("java.version") + ")\n", result.out());
        result = Console.run();
        assertEquals(2, result.exit());
        assertTrue(result.err().startsWith("usage: msgc"), result.toString());
    }

    @Test
    void unknownOptionsAndBadValuesAreUsageErrors()
    {
        assertUsageError(Console.run("frobnicate"), "msgc: unknown command 'frobnicate'; commands: peers, health");
        assertUsageError(Console.run("peers", "--bogus"), "msgc peers: unknown option '--bogus'; valid: --secret-file, -s\n" +
            "run 'msgc peers --help' for usage");
        assertUsageError(Console.run("peers", "-s"), "msgc peers: option -s needs a value");
        assertUsageError(Console.run("peers", "-s", "127.0.0.1:99999"),
            "msgc peers: bad -s value '127.0.0.1:99999': port 99999 is out of range 1..65535 (expected HOST:PORT)");
        assertUsageError(Console.run("groups", "extra"), "msgc groups: unexpected argument 'extra'");
        assertUsageError(Console.run("send", "--type", "abc", "g", "t"),
            "msgc send: bad --type value 'abc': expected an integer -32768..32767");
        assertUsageError(Console.run("send", "--type", "40000", "g", "t"), "bad --type value '40000'");
        assertUsageError(Console.run("send", "--service", "FAST", "g", "t"),
            "msgc send: bad --service value: unknown service 'FAST'; valid: UNRELIABLE, RELIABLE, FIFO");
        assertUsageError(Console.run("send", "-s", "127.0.0.1:1", "a", "b", "c"), "msgc send: need GROUP [TEXT | -]");
        assertUsageError(Console.run("listen", "-n", "x", "--count", "-1", "g"),
            "msgc listen: bad --count value '-1'");
        assertUsageError(Console.run("listen", "g"), "msgc listen: need -n NAME and at least one GROUP");
        assertUsageError(Console.run("listen", "-n", "bad name!", "g"), "msgc listen: ");
        assertUsageError(Console.run("stat"), "msgc stat: need -c CONFIG [-n NODE] or --file PATH");
        assertUsageError(Console.run("stat", "--file", "x", "-n", "node1"), "give either --file PATH or -c CONFIG");
        assertUsageError(Console.run("send", "-s", "127.0.0.1:1", "-s", "127.0.0.1:2", "g", "t"),
            "option -s given twice");
    }

    @Test
    void msgcdHelpVersionAndUnknownArguments()
    {
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try
        {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            assertEquals(0, MsgcDaemon.run(new String[]{"--version"}));
            assertEquals(0, MsgcDaemon.run(new String[]{"--help"}));
            assertEquals(2, MsgcDaemon.run(new String[]{"--frobnicate"}));
            assertEquals(2, MsgcDaemon.run(new String[]{"-c"}));
        }
        finally
        {
            System.setOut(out);
            System.setErr(err);
        }
        final String stdout = outBytes.toString(StandardCharsets.UTF_8);
        final String stderr = errBytes.toString(StandardCharsets.UTF_8);
        assertTrue(stdout.startsWith("msgcd " + Version.VERSION + " (Java "), stdout);
        assertTrue(stdout.contains("usage: msgcd -c FILE [-n NODE]"), stdout);
        assertTrue(stderr.contains("msgcd: unknown argument '--frobnicate'"), stderr);
        assertTrue(stderr.contains("msgcd: -c needs a value"), stderr);
    }

    @Test
    void sendWaitsForTheServerAndFailsOnItsError() throws Exception
    {
        try (Cluster cluster = new Cluster(1).startAll())
        {
            final String server = cluster.host(1) + ":" + cluster.port();
            final Console refused = Console.run("send", "-s", server, "#bob#nowhere", "hello");
            assertEquals(1, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("msgc send: the server refused a message: MALFORMED_FRAME: DATA " +
                "destination 1 '#bob#nowhere' is a member id on node 'nowhere', which is not in the peers list"),
                refused.toString());
            final Console badName = Console.run("send", "-s", server, "bad group", "hello");
            assertEquals(2, badName.exit(), badName.toString());
            assertTrue(badName.err().contains("msgc send: bad destination 'bad group': it has a space"),
                badName.toString());
            final Console sent = Console.run("send", "-s", server, "-n", "bob", "chat", "hello");
            assertEquals(0, sent.exit(), sent.toString());
            assertEquals("sent 1 message(s) from=#bob#node1 group=chat bytes=5\n", sent.out());
            final Console unreachable = Console.run("send", "-s", Loopback.block() + "1:9", "chat", "x");
            assertEquals(1, unreachable.exit(), unreachable.toString());
            assertTrue(unreachable.err().startsWith("msgc send: "), unreachable.toString());
            assertFalse(unreachable.err().contains("\tat "), unreachable.toString());
        }
    }

    @Test
    void sendReadsLinesFromStandardInputAndListenPrintsJsonLines() throws Exception
    {
        try (Cluster cluster = new Cluster(1).startAll())
        {
            final String server = cluster.host(1) + ":" + cluster.port();
            final CompletableFuture<Console> listener = CompletableFuture.supplyAsync(() ->
                Console.run("listen", "-s", server, "-n", "alice", "--count", "3", "--json", "chat"));
            Cluster.await("alice joined", 10_000, () -> AdminAccess.groups(cluster.address(1)).contains("chat 1"));
            final Console sent = Console.runWithInput("one\ntwo \"quoted\"\nthree\n", "send", "-s", server, "-n",
                "bob", "chat");
            assertEquals(0, sent.exit(), sent.toString());
            assertEquals("sent 3 message(s) from=#bob#node1 group=chat bytes=20\n", sent.out());
            final Console listened = listener.get(10, TimeUnit.SECONDS);
            assertEquals(0, listened.exit(), listened.toString());
            final List<String> lines = listened.out().lines().toList();
            assertEquals("{\"type\":\"connected\",\"member\":\"#alice#node1\"}", lines.get(0));
            assertTrue(lines.get(1).startsWith("{\"type\":\"membership\",\"group\":\"chat\",\"view\":"), lines.get(1));
            assertTrue(lines.get(1).endsWith(",\"cause\":\"JOIN\",\"members\":[\"#alice#node1\"],\"me\":0," +
                "\"changed\":[\"#alice#node1\"]}"), lines.get(1));
            assertEquals("{\"type\":\"message\",\"from\":\"#bob#node1\",\"groups\":[\"chat\"],\"msg_type\":0," +
                "\"service\":\"FIFO\",\"len\":3,\"text\":\"one\"}", lines.get(2));
            assertTrue(lines.get(3).endsWith("\"text\":\"two \\\"quoted\\\"\"}"), lines.get(3));
            assertTrue(lines.get(4).endsWith("\"text\":\"three\"}"), lines.get(4));
            assertEquals(5, lines.size(), listened.out());
        }
    }

    @Test
    void peersAndHealthExitNonZeroWhenAPeerIsDown()
    {
        try (Cluster cluster = new Cluster(2))
        {
            cluster.start(1);
            final String server = cluster.host(1) + ":" + cluster.port();
            final Console peers = Console.run("peers", "-s", server);
            assertEquals(1, peers.exit(), peers.toString());
            assertTrue(peers.out().contains("node2"), peers.toString());
            assertTrue(peers.err().startsWith("msgc peers: node1 does not reach every peer: node2 "), peers.toString());
            final Console health = Console.run("health", "-s", server);
            assertEquals(1, health.exit(), health.toString());
            assertTrue(health.out().startsWith("unhealthy: node1: node2 "), health.toString());

            cluster.start(2);
            Cluster.await("mesh", 5000, cluster::fullMesh);
            assertEquals(0, Console.run("peers", "-s", server).exit());
            assertEquals("healthy: node1 reaches every peer (node2 up)\n", Console.run("health", "-s", server).out());
        }
        final Console nobody = Console.run("health", "-s", Loopback.block() + "1:9");
        assertEquals(1, nobody.exit(), nobody.toString());
        assertTrue(nobody.out().startsWith("unhealthy: no answer from "), nobody.toString());
        final Console peers = Console.run("peers", "-s", Loopback.block() + "1:9");
        assertEquals(1, peers.exit(), peers.toString());
        assertTrue(peers.err().startsWith("msgc peers: "), peers.toString());
    }

    @Test
    void statAndErrorsWithoutACountersFileSayWhere()
    {
        final Console stat = Console.run("stat", "--file", "/nonexistent/node1.counters");
        assertEquals(1, stat.exit(), stat.toString());
        assertTrue(stat.err().startsWith("msgc stat: no counters file at /nonexistent/node1.counters; is the node " +
            "running"), stat.toString());
        final Console errors = Console.run("errors", "--file", "/nonexistent/node1.counters");
        assertEquals(1, errors.exit(), errors.toString());
        assertTrue(errors.err().startsWith("msgc errors: no counters file at "), errors.toString());
    }
}
