package io.msgc.cli;

import io.msgc.admin.Version;
import io.msgc.conf.HostPort;
import io.msgc.server.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real daemon processes, operated as an operator would: /metrics and /healthz, {@code msgc stat} on a stopped
 * (SIGSTOP) daemon, health checks that fail when a peer is down, SIGHUP and {@code msgc reload} with a good and a
 * bad file, clean stops on SIGTERM and SIGINT with exit 0, a fatal error on the loop ending the daemon with exit 1
 * and a stack trace, and the RSS of an idle node started by the launcher with its default flags.
 */
class OperatingDaemonsTest
{
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Path writeConfig(final String prefix, final int port, final int metricsPort, final String extra)
        throws Exception
    {
        final Path file = dir.resolve("msgc_server.conf");
        Files.writeString(file, "msgc_server {\n" +
            "  heartbeat_interval_ms = 100\n" +
            "  peer_timeout_ms = 800\n" +
            "  reconnect_initial_ms = 50\n" +
            "  reconnect_interval = 1\n" +
            "  counters_file = \"" + dir.resolve("%n.counters") + "\"\n" +
            "  metrics_listen = \":" + metricsPort + "\"\n" +
            extra +
            "  peers = [\n" +
            "    node1 = \"" + prefix + "1:" + port + "\"\n" +
            "    node2 = \"" + prefix + "2:" + port + "\"\n" +
            "    node3 = \"" + prefix + "3:" + port + "\"\n" +
            "  ]\n" +
            "}\n");
        return file;
    }

    private HttpResponse<String> get(final String host, final int port, final String path) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(final String what, final long timeoutMs, final BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private int status(final String host, final int port, final String path)
    {
        try
        {
            return get(host, port, path).statusCode();
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    @Test
    void metricsHealthStatOnAStoppedDaemonReloadAndCleanStops() throws Exception
    {
        final String prefix = Loopback.block();
        final int port = Loopback.freePort(prefix + "1");
        final int metricsPort = Loopback.freePort(prefix + "1");
        final Path config = writeConfig(prefix, port, metricsPort, "");
        try (DaemonProcess n1 = DaemonProcess.daemon(config, "node1");
            DaemonProcess n2 = DaemonProcess.daemon(config, "node2");
            DaemonProcess n3 = DaemonProcess.daemon(config, "node3"))
        {
            for (final DaemonProcess n : new DaemonProcess[]{n1, n2, n3})
            {
                assertTrue(n.awaitOutput("nodes=[node1,node2,node3]", 20_000), n.output());
            }
            assertTrue(n1.output().contains("NOTICE node1 listening node=node1 version=" + Version.VERSION + " pid=" +
                n1.pid()), n1.output());
            // but that nobody authenticates: this cluster has no auth_secret_file
            assertFalse(n1.output().replaceAll("(?m)^.* WARNING node1 auth-disabled .*$", "").contains(" WARNING "),
                "a clean start warns about nothing:\n" + n1.output());

            // GET /metrics and /healthz: each node on its own host, the port of metrics_listen ":PORT"
            await("node1 healthy", 5000, () -> status(prefix + "1", metricsPort, "/healthz") == 200);
            final HttpResponse<String> health = get(prefix + "1", metricsPort, "/healthz");
            assertEquals("{\"status\":\"ok\",\"node\":\"node1\",\"version\":\"" + Version.VERSION + "\"",
                health.body().substring(0, health.body().indexOf(",\"loop_heartbeat_ms_ago\"")));
            assertTrue(health.body().endsWith("\"peers\":{\"node2\":\"up\",\"node3\":\"up\"}}\n"), health.body());
            final HttpResponse<String> metrics = get(prefix + "2", metricsPort, "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            assertTrue(metrics.body().contains("msgc_info{node=\"node2\",version=\"" + Version.VERSION + "\"} 1\n"));
            assertTrue(metrics.body().contains("msgc_peer_up{peer=\"node1\"} 1\nmsgc_peer_up{peer=\"node3\"} 1\n"),
                metrics.body());
            assertTrue(metrics.body().contains("# TYPE msgc_messages_in_total counter\n"), metrics.body());
            assertEquals(404, get(prefix + "1", metricsPort, "/nothing").statusCode());
            assertEquals(405, http.send(HttpRequest.newBuilder(URI.create("http://" + prefix + "1:" + metricsPort +
                "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(0, Console.run("peers", "-s", prefix + "1:" + port).exit());
            final Console healthy = Console.run("health", "-s", prefix + "1:" + port);
            assertEquals(0, healthy.exit(), healthy.toString());
            assertEquals("healthy: node1 reaches every peer (node2, node3 up)\n", healthy.out());

            // SIGSTOP node3: its loop cannot turn, yet msgc stat reads its counters from the file
            n3.signal("STOP");
            try
            {
                Thread.sleep(1500);
                final Console stat = Console.run("stat", "-c", config.toString(), "-n", "node3");
                assertEquals(0, stat.exit(), stat.toString());
                assertTrue(stat.out().startsWith("node node3  msgc " + Version.VERSION + "  pid " + n3.pid() + "\n" +
                    "state STALLED: the event loop has not turned for "), stat.out());
                assertTrue(stat.out().contains("file " + dir.resolve("node3.counters")), stat.out());
                // (a link may flap once while the three nodes first connect: count at least the two peers)
                assertTrue(stat.out().matches("(?s).*peer ups\\s+[2-9]\n.*"), stat.out());
                assertTrue(stat.out().matches("(?s).*node1\\s+up\\s+\\d+\\s+\\d+\\s+[1-9]\\s+\\d+ .*"), stat.out());
                // node1 lost node3: health checks fail, for scripts
                await("node1 sees node3 gone", 5000, () -> status(prefix + "1", metricsPort, "/healthz") == 503);
                final String degraded = get(prefix + "1", metricsPort, "/healthz").body();
                assertTrue(degraded.startsWith("{\"status\":\"degraded\""), degraded);
                assertTrue(degraded.matches(".*\"node3\":\"(down|connecting)\".*\n"), degraded);
                final Console unhealthy = Console.run("health", "-s", prefix + "1:" + port);
                assertEquals(1, unhealthy.exit(), unhealthy.toString());
                assertTrue(unhealthy.out().startsWith("unhealthy: node1: node3 "), unhealthy.out());
                final Console peers = Console.run("peers", "-s", prefix + "1:" + port);
                assertEquals(1, peers.exit(), peers.toString());
                assertTrue(peers.err().startsWith("msgc peers: node1 does not reach every peer: node3 "), peers.err());
            }
            finally
            {
                n3.signal("CONT");
            }
            await("mesh healed", 10_000, () -> status(prefix + "1", metricsPort, "/healthz") == 200);

            // SIGHUP: debug_level applies live, peer_timeout_ms needs a restart
            writeConfig(prefix, port, metricsPort, "  debug_level = info\n").toFile();
            Files.writeString(config, Files.readString(config).replace("peer_timeout_ms = 800",
                "peer_timeout_ms = 900"));
            n1.signal("HUP");
            assertTrue(n1.awaitOutput("NOTICE node1 reloaded file=" + config + " applied=1 needs-restart=1", 10_000),
                n1.output());
            assertTrue(n1.output().contains("NOTICE node1 reload-applied option=msgc_server.debug_level old=\"ERROR\" " +
                "new=\"INFO\""), n1.output());
            assertTrue(n1.output().contains("WARNING node1 reload-needs-restart option=msgc_server.peer_timeout_ms " +
                "running=\"800\" new=\"900\""), n1.output());
            assertTrue(n1.isAlive(), "SIGHUP reloads, it does not stop the daemon");

            // a bad file changes nothing and says where it is wrong
            final String good = Files.readString(config);
            Files.writeString(config, good.replace("  debug_level = info\n", "  debug_level = info\n  prot = 1\n"));
            n1.signal("HUP");
            assertTrue(n1.awaitOutput("reload-failed file=" + config + " errors=1", 10_000), n1.output());
            assertTrue(n1.output().contains("WARNING node1 reload-error error=\"" + config +
                ":9:3: unknown option 'prot' in msgc_server;"), n1.output());
            final Console refused = Console.run("reload", "-s", prefix + "2:" + port);
            assertEquals(1, refused.exit(), refused.toString());
            assertTrue(refused.err().startsWith("error: reload of " + config + " failed with 1 error(s); nothing " +
                "changed"), refused.toString());
            assertTrue(refused.err().contains(config + ":9:3: unknown option 'prot'"), refused.toString());
            Files.writeString(config, good);
            final Console reloaded = Console.run("reload", "-s", prefix + "2:" + port);
            assertEquals(0, reloaded.exit(), reloaded.toString());
            assertTrue(reloaded.out().startsWith("reloaded " + config + ": 1 applied, 1 need a restart\n"),
                reloaded.out());
            final Console peers = Console.run("peers", "-s", prefix + "1:" + port);
            assertEquals(0, peers.exit(), "still serving: " + peers);

            // clean stops: SIGTERM and SIGINT both exit 0 and remove the counters file
            assertEquals(0, n2.terminate(), n2.output());
            assertTrue(n2.output().contains("NOTICE node2 stopping signal=TERM"), n2.output());
            assertFalse(Files.exists(dir.resolve("node2.counters")));
            n3.signal("INT");
            assertEquals(0, n3.waitFor(15_000), n3.output());
            assertTrue(n3.output().contains("NOTICE node3 stopping signal=INT"), n3.output());
            assertEquals(0, n1.terminate(), n1.output());
        }
    }

    @Test
    void aFatalErrorOnTheLoopEndsTheDaemonWithExit1AndAStackTrace() throws Exception
    {
        final String prefix = Loopback.block();
        final int port = Loopback.freePort(prefix + "1");
        final Path config = writeConfig(prefix, port, Loopback.freePort(prefix + "1"), "");
        try (DaemonProcess n1 = DaemonProcess.start(List.of("-Dmsgc.test.injectFatalErrorAfterMs=300"),
            "io.msgc.cli.MsgcDaemon", "-c", config.toString(), "-n", "node1"))
        {
            assertEquals(1, n1.waitFor(20_000), n1.output());
            final String output = n1.output();
            assertTrue(output.contains("CRITICAL node1 fatal-error exception=\"java.lang.Error: injected fatal error"),
                output);
            assertTrue(output.contains("CRITICAL node1 exiting code=1"), output);
            // the stack trace, on standard error as a JVM prints it
            // (standard error and output share the pipe, so log lines may come between the trace's lines)
            assertTrue(output.contains("java.lang.Error: injected fatal error (msgc.test.injectFatalErrorAfterMs=300)\n"),
                output);
            assertTrue(output.contains("\n\tat io.msgc.server.ServerAgent"), output);
            // the counters file stays, with the error in its error log, for msgc errors
            final Console errors = Console.run("errors", "-c", config.toString(), "-n", "node1");
            assertEquals(0, errors.exit(), errors.toString());
            assertTrue(errors.out().startsWith("1 observation(s), first "), errors.out());
            assertTrue(errors.out().contains("java.lang.Error: injected fatal error"), errors.out());
            assertTrue(errors.out().contains("1 distinct error(s) in the error log of node node1 (STALE: process " +
                n1.pid() + " is gone"), errors.out());
        }
    }

    @Test
    void anIdleNodeStartedWithTheLauncherDefaultsStaysUnder100MbOfRss() throws Exception
    {
        final String prefix = Loopback.block();
        final int port = Loopback.freePort(prefix + "1");
        final Path config = writeConfig(prefix, port, Loopback.freePort(prefix + "1"), "");
        try (DaemonProcess n1 = DaemonProcess.script(Path.of("src/dist/bin/msgcd"), "-c", config.toString(),
            "-n", "node1"))
        {
            assertTrue(n1.awaitOutput("listening node=node1", 20_000), n1.output());
            Thread.sleep(3000);
            final long rssKib = n1.rssKib();
            assertTrue(rssKib < 100 * 1024, "idle RSS " + rssKib + " KiB with the default flags of src/dist/bin/msgcd");
            assertEquals(0, n1.terminate(), n1.output());
        }
        try (DaemonProcess version = DaemonProcess.script(Path.of("src/dist/bin/msgcd"), "--version"))
        {
            assertEquals(0, version.waitFor(20_000));
            assertTrue(version.output().startsWith("msgcd " + Version.VERSION + " (Java "), version.output());
        }
    }
}
