package io.msgc.conf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code auth_secret_file} and {@code admin_secret_file}: the file's mode is checked (a secret open to group or
 * others is refused, saying the mode and the fix), its one or two secrets are read, errors point at the option's
 * value (file:line:col), relative paths are relative to the config file, and no output shows a secret.
 */
class SecretFileTest
{
    @TempDir
    Path dir;

    private Path secretFile(final String name, final String text, final String mode) throws Exception
    {
        final Path file = dir.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private Path config(final String serverOptions, final String clientOptions) throws Exception
    {
        final Path file = dir.resolve("msgc.conf");
        Files.writeString(file, "msgc_server {\n  peers = [ node1 = \"127.0.0.1\" ]\n" + serverOptions + "}\n" +
            "msgc_client {\n" + clientOptions + "}\n");
        return file;
    }

    private List<String> errors(final Path config)
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> MsgcConfig.load(config));
        return ex.errors().stream().map(ConfigError::toString).toList();
    }

    @Test
    void aWorldReadableSecretIsRefusedWithTheModeAndTheFix() throws Exception
    {
        final Path secret = secretFile("secret", "a-good-long-secret-0001\n", "rw-r--r--");
        final Path config = config("  auth_secret_file = \"" + secret + "\"\n", "");
        assertEquals(List.of(config + ":3:22: auth_secret_file '" + secret + "' is open to group or others " +
            "(mode 0644); only the owner may read a secret: chmod 600 " + secret), errors(config));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(List.of(config + ":3:22: auth_secret_file '" + secret + "' is open to group or others " +
            "(mode 0640); only the owner may read a secret: chmod 600 " + secret), errors(config));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        final MsgcConfig loaded = MsgcConfig.load(config);
        assertEquals(1, loaded.server().authSecret().count());
        assertEquals(secret.toString(), loaded.server().authSecretFile());
    }

    @Test
    void theFileHoldsTheCurrentSecretAndDuringARotationThePreviousOne() throws Exception
    {
        final Path secret = secretFile("secret", "# rotated 2026-11-26\nthe-new-secret-000002\n\n" +
            "the-old-secret-000001\n", "rw-------");
        final Secret read = Secret.read(secret, "auth_secret_file");
        assertEquals(2, read.count());
        assertEquals(Secret.of("the-new-secret-000002", "the-old-secret-000001").fingerprints(), read.fingerprints());
        assertNotEquals(Secret.of("the-old-secret-000001", "the-new-secret-000002").fingerprints(),
            read.fingerprints());
    }

    @Test
    void badFilesSayWhatIsWrong() throws Exception
    {
        final Path missing = dir.resolve("nope");
        assertEquals("cannot read auth_secret_file '" + missing + "': no such file",
            assertThrows(IllegalArgumentException.class, () -> Secret.read(missing, "auth_secret_file")).getMessage());
        final Path empty = secretFile("empty", "\n# nothing\n", "rw-------");
        assertEquals("auth_secret_file '" + empty + "' holds no secret; write one on its first line, e.g. the output " +
            "of: head -c 32 /dev/urandom | base64",
            assertThrows(IllegalArgumentException.class, () -> Secret.read(empty, "auth_secret_file")).getMessage());
        final Path three = secretFile("three", "secret-number-one-01\nsecret-number-two-02\nsecret-number-three\n",
            "rw-------");
        assertEquals("auth_secret_file '" + three + "' line 3: a third secret; the file holds the current secret " +
            "and, during a rotation, the previous one",
            assertThrows(IllegalArgumentException.class, () -> Secret.read(three, "auth_secret_file")).getMessage());
        final Path shortOne = secretFile("short", "tooshort\n", "rw-------");
        assertEquals("auth_secret_file '" + shortOne + "' line 1: the secret has 8 characters; 16..1024 are needed " +
            "(e.g. the output of: head -c 32 /dev/urandom | base64)",
            assertThrows(IllegalArgumentException.class, () -> Secret.read(shortOne, "auth_secret_file"))
                .getMessage());
        assertEquals("--secret-file '" + dir + "' is not a regular file",
            assertThrows(IllegalArgumentException.class, () -> Secret.read(dir, "--secret-file")).getMessage());
    }

    @Test
    void aRelativePathIsRelativeToTheConfigFileAndTheClientScopeHasOneToo() throws Exception
    {
        secretFile("cluster.secret", "a-good-long-secret-0001\n", "rw-------");
        secretFile("admin.secret", "the-admin-secret-00001\n", "rw-------");
        final Path config = config("  auth_secret_file = \"cluster.secret\"\n  admin_secret_file = admin.secret\n",
            "  auth_secret_file = \"cluster.secret\"\n");
        final MsgcConfig loaded = MsgcConfig.load(config);
        assertEquals(dir.resolve("cluster.secret").toString(), loaded.server().authSecretFile());
        assertEquals(loaded.server().authSecret().fingerprints(), loaded.client().secret().fingerprints());
        assertEquals(1, loaded.server().adminSecret().count());
        // --check shows where and which (fingerprints), never the secret
        final String described = loaded.describe();
        assertTrue(described.contains("msgc_server.auth_secret_file = " + dir.resolve("cluster.secret") +
            " (1 secret, fingerprint " + loaded.server().authSecret().fingerprints() + ")"), described);
        assertTrue(described.contains("msgc_client.auth_secret_file = "), described);
        assertFalse(described.contains("a-good-long-secret"), described);
        assertFalse(described.contains("the-admin-secret"), described);
        assertFalse(loaded.server().authSecret().toString().contains("secret-0001"));
    }

    @Test
    void toolsThatNeedNoSecretLeaveTheFilesUnread() throws Exception
    {
        final Path secret = secretFile("secret", "a-good-long-secret-0001\n", "rw-r--r--");
        final Path config = config("  auth_secret_file = \"" + secret + "\"\n", "");
        final MsgcConfig loaded = MsgcConfig.load(config, false);
        assertNull(loaded.server().authSecret());
        assertTrue(loaded.describe().contains("(not read)"));
    }

    @Test
    void theOtherTrustOptionsAreCheckedAndHaveDefaults() throws Exception
    {
        final ServerConfig defaults = ServerConfig.builder().peer("a", "127.0.0.1", 4809).build();
        assertTrue(defaults.peerAddressCheck());
        assertEquals(5000, defaults.authTimeoutMs());
        assertEquals(100, defaults.connectRate());
        assertEquals(500, defaults.connectBurst());
        assertNull(defaults.authSecret());
        final ServerConfig set = MsgcConfig.parse("t.conf", "msgc_server {\n  peers = [ a = \"127.0.0.1\" ]\n" +
            "  peer_address_check = false\n  auth_timeout_ms = 2000\n  connect_rate = 0\n  connect_burst = 10\n}\n")
            .server();
        assertFalse(set.peerAddressCheck());
        assertEquals(2000, set.authTimeoutMs());
        assertEquals(0, set.connectRate());
        assertEquals(10, set.connectBurst());
        final ConfigException ex = assertThrows(ConfigException.class, () -> MsgcConfig.parse("t.conf",
            "msgc_server {\n  peers = [ a = \"127.0.0.1\" ]\n  auth_timeout_ms = 10\n  connect_burst = 0\n" +
            "  auth_secret_file = \"\"\n}\n"));
        assertEquals(List.of("t.conf:3:21: value 10 for 'auth_timeout_ms' is out of range 100..600000",
            "t.conf:4:19: value 0 for 'connect_burst' is out of range 1..1000000",
            "t.conf:5:22: invalid path string \"\" for 'auth_secret_file'"),
            ex.errors().stream().map(ConfigError::toString).toList());
    }
}
