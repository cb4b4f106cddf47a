package io.msgc.cli;

import io.msgc.server.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real daemon with {@code auth_secret_file}: {@code --check} refuses a secret file open to others and shows only
 * fingerprints; the console needs {@code --secret-file} (a missing, wrong or open one is refused with a reason); the
 * secret rotates with SIGHUP and with {@code msgc reload}, without a restart.
 */
class SecretDaemonTest
{
    private static final String OLD = "the-old-secret-000001";
    private static final String NEW = "the-new-secret-000002";

    @TempDir
    Path dir;

    private Path write(final String name, final String text, final String mode) throws Exception
    {
        final Path file = dir.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    @Test
    void theDaemonChecksTheFileTheConsoleProvesTheSecretAndItRotatesWithoutARestart() throws Exception
    {
        final String prefix = Loopback.block();
        final int port = Loopback.freePort(prefix + "1");
        final Path secret = write("cluster.secret", OLD + "\n", "rw-r--r--");
        final Path config = dir.resolve("msgc.conf");
        Files.writeString(config, "msgc_server {\n" +
            "  peers = [ node1 = \"" + prefix + "1:" + port + "\" ]\n" +
            "  counters_file = \"" + dir.resolve("%n.counters") + "\"\n" +
            "  auth_secret_file = \"cluster.secret\"\n" +
            "}\n");

        // a secret anyone on the host may read is refused, with the mode and the fix
        try (DaemonProcess check = DaemonProcess.start("io.msgc.cli.MsgcDaemon", "--check", "-c", config.toString()))
        {
            assertEquals(2, check.waitFor(20_000), check.output());
            assertTrue(check.output().contains(config + ":4:22: auth_secret_file '" + secret + "' is open to group " +
                "or others (mode 0644); only the owner may read a secret: chmod 600 " + secret), check.output());
        }
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        try (DaemonProcess check = DaemonProcess.start("io.msgc.cli.MsgcDaemon", "--check", "-c", config.toString()))
        {
            assertEquals(0, check.waitFor(20_000), check.output());
            assertTrue(check.output().contains("msgc_server.auth_secret_file = " + secret + " (1 secret, fingerprint "),
                check.output());
            assertFalse(check.output().contains(OLD), check.output());
        }

        final String server = prefix + "1:" + port;
        final Path oldFile = write("old", OLD + "\n", "rw-------");
        final Path newFile = write("new", NEW + "\n", "rw-------");
        try (DaemonProcess node = DaemonProcess.daemon(config, "node1"))
        {
            assertTrue(node.awaitOutput("listening node=node1", 20_000), node.output());
            assertFalse(node.output().contains("auth-disabled"), node.output());

            Console result = Console.run("peers", "-s", server);
            assertEquals(1, result.exit(), result.toString());
            assertTrue(result.err().contains("refused: AUTH_REQUIRED: node1 requires authentication and this " +
                "console offered none: run msgc with --secret-file"), result.toString());
            result = Console.run("peers", "-s", server, "--secret-file", newFile.toString());
            assertEquals(1, result.exit(), result.toString());
            assertTrue(result.err().contains("refused: AUTH_FAILED: authentication failed"), result.toString());
            result = Console.run("peers", "-s", server, "--secret-file", secret.getParent().resolve("nope").toString());
            assertEquals(2, result.exit(), result.toString());
            assertTrue(result.err().contains("cannot read --secret-file '"), result.toString());
            assertEquals(0, Console.run("peers", "-s", server, "--secret-file", oldFile.toString()).exit());
            result = Console.runWithInput("", "send", "-s", server, "--secret-file", oldFile.toString(), "g", "hi");
            assertEquals(0, result.exit(), result.toString());

            // roll: new first, old still accepted; SIGHUP re-reads the file
            write("cluster.secret", NEW + "\n" + OLD + "\n", "rw-------");
            node.signal("HUP");
            assertTrue(node.awaitOutput("reload-applied option=msgc_server.auth_secret_file", 10_000), node.output());
            assertEquals(0, Console.run("peers", "-s", server, "--secret-file", newFile.toString()).exit());
            assertEquals(0, Console.run("peers", "-s", server, "--secret-file", oldFile.toString()).exit());

            // done: only the new one; msgc reload re-reads it too
            write("cluster.secret", NEW + "\n", "rw-------");
            result = Console.run("reload", "-s", server, "--secret-file", newFile.toString());
            assertEquals(0, result.exit(), result.toString());
            assertTrue(result.out().contains("applied msgc_server.auth_secret_file"), result.toString());
            result = Console.run("stats", "-s", server, "--secret-file", oldFile.toString());
            assertEquals(1, result.exit(), result.toString());
            assertTrue(result.err().contains("AUTH_FAILED"), result.toString());
            result = Console.run("stats", "-s", server, "--secret-file", newFile.toString());
            assertEquals(0, result.exit(), result.toString());
            assertTrue(result.out().contains("refused-auth-failed 2"), result.out());
            assertTrue(result.out().contains("refused-auth-required 1"), result.out());
            assertFalse(node.output().contains(NEW) || node.output().contains(OLD), "no secret in the log");
            // msgc stat reads the counters without any secret
            result = Console.run("stat", "-c", config.toString(), "-n", "node1");
            assertEquals(0, result.exit(), result.toString());
        }
    }
}
