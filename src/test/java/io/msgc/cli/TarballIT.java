package io.msgc.cli;

import io.msgc.server.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After {@code mvn package}: the tarball holds what a node needs (bin/, lib/, conf/), and a node runs from an
 * unpacked copy, away from the checkout and without Maven. The tools of the checkout print their version too.
 */
class TarballIT
{
    private static final String VERSION = System.getProperty("msgc.version");

    @TempDir
    Path dir;

    /** Output and exit code of a command. */
    private record Run(int exit, String output)
    {
    }

    private static Run run(final Path cwd, final String... command) throws IOException, InterruptedException
    {
        final ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("MSGC_CLASSPATH");
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command));
        return new Run(process.exitValue(), output);
    }

    @Test
    void theTarballRunsANodeWithoutMavenOrACheckout() throws Exception
    {
        final Path tarball = Path.of("target", "msgc-" + VERSION + ".tar.gz");
        assertTrue(Files.isRegularFile(tarball), tarball + " is built by mvn package");
        final Run list = run(Path.of("."), "tar", "tzf", tarball.toString());
        assertEquals(0, list.exit(), list.output());
        final String base = "msgc-" + VERSION + "/";
        for (final String entry : new String[]{"bin/msgcd", "bin/msgc", "lib/msgc-" + VERSION + ".jar",
            "conf/msgc_server.conf", "conf/msgcd.service", "README.md", "docs/TUNING.md"})
        {
            assertTrue(list.output().contains(base + entry + "\n"), entry + " in\n" + list.output());
        }
        assertTrue(list.output().matches("(?s).*" + base + "lib/agrona-[0-9.]+\\.jar\n.*"), list.output());

        assertEquals(0, run(dir, "tar", "xzf", tarball.toAbsolutePath().toString()).exit());
        final Path home = dir.resolve(base);
        assertTrue(Files.isExecutable(home.resolve("bin/msgcd")) && Files.isExecutable(home.resolve("bin/msgc")));
        final Run version = run(dir, home.resolve("bin/msgcd").toString(), "--version");
        assertEquals(0, version.exit(), version.output());
        assertTrue(version.output().startsWith("msgcd " + VERSION + " (Java "), version.output());
        final Run console = run(dir, home.resolve("bin/msgc").toString(), "--version");
        assertTrue(console.output().startsWith("msgc " + VERSION + " "), console.output());
        final Run check = run(home, "bin/msgcd", "--check", "-c", "conf/msgc_server.conf");
        assertEquals(0, check.exit(), check.output());
        assertTrue(check.output().contains("msgcd: conf/msgc_server.conf is valid"), check.output());

        // the unit file starts that launcher, reloads with HUP, restarts on failure
        final String unit = Files.readString(home.resolve("conf/msgcd.service"));
        for (final String line : new String[]{"ExecStart=/opt/msgc/bin/msgcd -c ${MSGC_CONFIG} -n ${NODE}",
            "ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure", "RestartPreventExitStatus=2",
            "LimitNOFILE=65536"})
        {
            assertTrue(unit.contains("\n" + line + "\n"), line);
        }

        // a node from the unpacked copy: it listens, and stops with exit 0
        final String host = Loopback.block() + "1";
        final Path config = dir.resolve("one.conf");
        Files.writeString(config, "msgc_server {\n  counters_file = \"" + dir.resolve("%n.counters") +
            "\"\n  peers = [ node1 = \"" + host + ":" + Loopback.freePort(host) + "\" ]\n}\n");
        final List<String> command = new ArrayList<>(List.of(home.resolve("bin/msgcd").toString(), "-c",
            config.toString(), "-n", "node1"));
        final ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(dir.resolve("node1.log").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        final Process node = builder.start();
        try
        {
            final long deadline = System.currentTimeMillis() + 20_000;
            while (!Files.readString(dir.resolve("node1.log")).contains("listening node=node1 version=" + VERSION))
            {
                assertTrue(System.currentTimeMillis() < deadline, Files.readString(dir.resolve("node1.log")));
                Thread.sleep(50);
            }
            assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(node.pid())).start().waitFor());
            assertTrue(node.waitFor(15, TimeUnit.SECONDS));
            assertEquals(0, node.exitValue(), Files.readString(dir.resolve("node1.log")));
        }
        finally
        {
            node.destroyForcibly();
        }
    }

    @Test
    void everyToolOfTheCheckoutPrintsItsVersion() throws Exception
    {
        for (final String tool : new String[]{"msgcd", "msgc", "msgc-bench"})
        {
            final Run version = run(Path.of("."), "tools/" + tool, "--version");
            assertEquals(0, version.exit(), version.output());
            assertTrue(version.output().endsWith(tool + " " + VERSION + " (Java " +
                System.getProperty("java.version") + ")\n"), version.output());
        }
    }
}
