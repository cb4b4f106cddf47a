package io.msgc.conf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The shared secret of a cluster (or of its admin console): the current secret and, during a rotation, the previous
 * one, both accepted. It proves itself in the handshake (HMAC-SHA256) and never crosses the network. Read from a
 * file whose first secret line is the current secret and an optional second one the previous secret; blank lines
 * and lines starting with {@code #} are skipped. The file must not be open to group or others. {@link #toString()}
 * shows fingerprints, never the secret.
 */
public final class Secret
{
    /** Fewest characters of a secret. */
    public static final int MIN_LENGTH = 16;
    /** Most characters of a secret. */
    public static final int MAX_LENGTH = 1024;
    /** Largest secret file read. */
    private static final int MAX_FILE_BYTES = 64 * 1024;
    private static final Set<PosixFilePermission> OPEN_TO_OTHERS = Set.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final byte[][] keys;
    private final String fingerprints;

    private Secret(final List<String> secrets)
    {
        keys = new byte[secrets.size()][];
        final StringBuilder prints = new StringBuilder();
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = secrets.get(i).getBytes(StandardCharsets.US_ASCII);
            prints.append(i == 0 ? "" : ",").append(fingerprint(keys[i]));
        }
        fingerprints = prints.toString();
    }

    /**
     * @param current the secret, 16..1024 printable ASCII characters.
     * @return a secret without a previous one.
     * @throws IllegalArgumentException when the secret breaks the rules.
     */
    public static Secret of(final String current)
    {
        return of(current, null);
    }

    /**
     * @param current  the secret used and accepted, 16..1024 printable ASCII characters.
     * @param previous the secret still accepted during a rotation, or null.
     * @return the secret.
     * @throws IllegalArgumentException when a secret breaks the rules.
     */
    public static Secret of(final String current, final String previous)
    {
        final List<String> secrets = new ArrayList<>();
        for (final String secret : previous == null ? new String[]{current} : new String[]{current, previous})
        {
            final String problem = check(secret);
            if (problem != null)
            {
                throw new IllegalArgumentException(problem);
            }
            secrets.add(secret);
        }
        return new Secret(secrets);
    }

    /**
     * Read a secret file: refuse one open to group or others, then take its one or two secret lines.
     *
     * @param file   the file.
     * @param option what names it, for messages: {@code auth_secret_file}, {@code --secret-file}, ...
     * @return the secret.
     * @throws IllegalArgumentException saying what is wrong and what to do.
     */
    public static Secret read(final Path file, final String option)
    {
        final String what = option + " '" + file + "'";
        final byte[] bytes;
        try
        {
            if (!Files.isRegularFile(file))
            {
                if (!Files.exists(file))
                {
                    throw new NoSuchFileException(file.toString());
                }
                throw new IllegalArgumentException(what + " is not a regular file");
            }
            final PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (posix != null)
            {
                final Set<PosixFilePermission> permissions = posix.readAttributes().permissions();
                for (final PosixFilePermission open : OPEN_TO_OTHERS)
                {
                    if (permissions.contains(open))
                    {
                        throw new IllegalArgumentException(what + " is open to group or others (mode " +
                            mode(permissions) + "); only the owner may read a secret: chmod 600 " + file);
                    }
                }
            }
            if (Files.size(file) > MAX_FILE_BYTES)
            {
                throw new IllegalArgumentException(what + " is larger than " + MAX_FILE_BYTES +
                    " bytes; it holds one or two secret lines");
            }
            bytes = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalArgumentException("cannot read " + what + ": no such file");
        }
        catch (final AccessDeniedException ex)
        {
            throw new IllegalArgumentException("cannot read " + what + ": permission denied (run as the user " +
                "that owns it)");
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read " + what + ": " + ex.getMessage());
        }
        final List<String> secrets = new ArrayList<>();
        final String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            if (secrets.size() == 2)
            {
                throw new IllegalArgumentException(what + " line " + (i + 1) + ": a third secret; the file holds " +
                    "the current secret and, during a rotation, the previous one");
            }
            final String problem = check(line);
            if (problem != null)
            {
                throw new IllegalArgumentException(what + " line " + (i + 1) + ": " + problem);
            }
            secrets.add(line);
        }
        if (secrets.isEmpty())
        {
            throw new IllegalArgumentException(what + " holds no secret; write one on its first line, e.g. the " +
                "output of: head -c 32 /dev/urandom | base64");
        }
        return new Secret(secrets);
    }

    private static String check(final String secret)
    {
        if (secret == null || secret.length() < MIN_LENGTH || secret.length() > MAX_LENGTH)
        {
            return "the secret has " + (secret == null ? 0 : secret.length()) + " characters; " + MIN_LENGTH + ".." +
                MAX_LENGTH + " are needed (e.g. the output of: head -c 32 /dev/urandom | base64)";
        }
        for (int i = 0; i < secret.length(); i++)
        {
            final char c = secret.charAt(i);
            if (c < 0x20 || c > 0x7E)
            {
                return "the secret has a character outside printable ASCII at index " + i;
            }
        }
        return null;
    }

    private static String mode(final Set<PosixFilePermission> permissions)
    {
        int mode = 0;
        for (final PosixFilePermission p : permissions)
        {
            mode |= 1 << (8 - p.ordinal()); // OWNER_READ is ordinal 0 = 0400 ... OTHERS_EXECUTE ordinal 8 = 0001
        }
        return String.format("0%03o", mode);
    }

    private static String fingerprint(final byte[] key)
    {
        try
        {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("msgc-secret-fingerprint".getBytes(StandardCharsets.US_ASCII));
            final byte[] digest = sha.digest(key);
            return String.format("%02x%02x%02x%02x", digest[0], digest[1], digest[2], digest[3]);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @return 1, or 2 during a rotation.
     */
    public int count()
    {
        return keys.length;
    }

    /**
     * @return the secrets as HMAC keys, current first (copies).
     */
    public byte[][] keys()
    {
        final byte[][] copy = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++)
        {
            copy[i] = keys[i].clone();
        }
        return copy;
    }

    /**
     * @return a short fingerprint of each secret, current first, comma separated: lets an operator compare nodes
     *         (and see a rotation take effect) without showing the secret.
     */
    public String fingerprints()
    {
        return fingerprints;
    }

    /** {@inheritDoc} */
    public String toString()
    {
        return (keys.length == 1 ? "1 secret" : keys.length + " secrets") + ", fingerprint " + fingerprints;
    }
}
