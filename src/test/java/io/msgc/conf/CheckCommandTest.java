package io.msgc.conf;

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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code msgcd --check} and {@code msgcd} as real processes: bad input always exits 2 with FILE:LINE:COL and never
 * a stack trace; a peers host that does not resolve is a warning, not an error.
 */
class CheckCommandTest
{
    @TempDir
    Path dir;

    /** Exit code and output (stdout and stderr together) of {@code msgcd ARGS}. */
    private record Run(int exit, String output)
    {
    }

    private static Run msgcd(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xss512k", "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-cp", System.getProperty("java.class.path"), "io.msgc.cli.MsgcDaemon"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "msgcd did not exit");
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static void assertNoStackTrace(final Run run)
    {
        assertFalse(run.output().contains("\tat ") || run.output().contains("Exception in thread") ||
            run.output().contains("StackOverflowError"), run.output());
    }

    @Test
    void twentyThousandNestedScopesExit2WithThePosition() throws Exception
    {
        final Path file = dir.resolve("deep.conf");
        Files.writeString(file, "msgc_server {\n" + "a {\n".repeat(20_000), StandardCharsets.UTF_8);
        for (final String[] args : new String[][]{{"--check", "-c", file.toString()}, {"-c", file.toString()}})
        {
            final Run run = msgcd(args);
            assertEquals(2, run.exit(), run.output());
            assertTrue(run.output().startsWith(file + ":65:1: scope 'a' is nested too deeply"), run.output());
            assertNoStackTrace(run);
        }
    }

    @Test
    void unreadableAndNonUtf8FilesExit2WithThePosition() throws Exception
    {
        final Path binary = dir.resolve("binary.conf");
        Files.write(binary, new byte[]{'#', '\n', 'x', ' ', '=', ' ', (byte)0xFF, 0, 1, 2});
        final Run run = msgcd("--check", "-c", binary.toString());
        assertEquals(2, run.exit(), run.output());
        assertTrue(run.output().startsWith(binary + ":2:5: invalid UTF-8 byte 0xFF"), run.output());
        assertNoStackTrace(run);

        final Run missing = msgcd("--check", "-c", dir.resolve("missing.conf").toString());
        assertEquals(2, missing.exit(), missing.output());
        assertTrue(missing.output().startsWith(dir.resolve("missing.conf") + ":1:1: cannot read"), missing.output());
        assertNoStackTrace(missing);
    }

    @Test
    void anUnresolvablePeersHostIsAWarningAndTheFileStaysValid() throws Exception
    {
        final Path file = dir.resolve("cluster.conf");
        Files.writeString(file, "msgc_server {\n  peers = [\n    node1 = \"127.0.0.1\"\n" +
            "    node4 = \"db4.invalid\"\n  ]\n}\n", StandardCharsets.UTF_8);
        final Run run = msgcd("--check", "-c", file.toString());
        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("msgcd: WARNING: peers entry node4 host 'db4.invalid' does not resolve ("),
            run.output());
        assertTrue(run.output().contains("); the node will keep retrying\n"), run.output());
        assertTrue(run.output().contains("msgcd: " + file + " is valid\n"), run.output());
        assertFalse(run.output().contains("node1 host"), run.output());
    }
}
