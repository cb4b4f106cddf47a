package io.msgc.conf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded fuzzing of the configuration parser and validator: random token soup, mutations of the sample files in
 * {@code conf/} (inserted, deleted, duplicated and flipped characters and bytes, deep nesting, huge numbers,
 * unicode, NUL bytes) and include chains in a temp directory. Every input must either load or fail with a
 * {@link ConfigException} whose every error is {@code FILE:LINE:COL: message}; any other exception, or a hang,
 * fails with the seed and the input.
 * <p>
 * Reproduce or run longer with {@code -Dmsgc.fuzz.seed=N} (that seed only) and {@code -Dmsgc.fuzz.iterations=M}.
 */
class ConfigFuzzTest
{
    private static final long[] SEEDS = {1, 2, 3, 42, 1234, 0x5EED, 0xC0FFEE, 20_240_611, -7};
    /** Iterations per seed; by default sized so that the three tests take about 2 s together. */
    private static final Integer ITERATIONS = Integer.getInteger("msgc.fuzz.iterations");
    private static final Duration HANG = Duration.ofSeconds(20);

    private static final String[] WORDS = {"msgc_server", "msgcserver_listener", "msgc_client", "MSGC_Server", "peers",
        "port", "Listen", "Peer", "action", "allow", "deny", "enabled", "debug_level", "server", "name", "bind_address",
        "connect_timeout", "idle_timeout", "max_frame_size", "client_outbound_limit", "send_queue_capacity",
        "idle_strategy", "busy-spin", "heartbeat_interval_ms", "peer_timeout_ms", "tcpbuf_size", "max_clients",
        "include", "readonly_include", "node1", "Node2", "cluster", "Domain", "example.com", "on", "off", "yes", "0",
        "1", "4809", "65535", "65536", "1073741824", "1073741825", "2147483647", "2147483648", "4294967296",
        "99999999999999999999999999999999", "-1", "+5", "0x10", "1e9", "10.0.0.0/8", "10.0.0.0/33", "0.0.0.0/0",
        "fd00::/8", "::1", "::/0", "[::1]/128", "::ffff:1.2.3.4/120", "1:2:3:4:5:6:7:8:9", "127.0.0.1:4809", "*:4809",
        ":4809", "[::1]:4810", "host:", "ñødé", "\u00e9t\u00e9", "\uD834\uDD1E", "\u4E2D\u6587", "a\u0000b",
        "\u0000", "\u2028", "\u00A0", "\u200B", "\uFFFF", "\uD800", "ERROR", "warning", "missing.conf", "no/such/dir"};
    private static final String[] STRINGS = {"\"127.0.0.1:4809\"", "\"127.0.0.2\"", "\"[::1]:4809\"", "\"fd00::/8\"",
        "\"10.1.2.0/24\"", "\":4809\"", "\"*:4809\"", "\"a\\\"b\"", "\"\\\\\"", "\"\\n\\t\"", "\"\\q\"",
        "\"unterminated", "\"#not a comment\"", "\"60\"", "\"on\"", "\"\u0000\"", "\"\uD834\uDD1E\"",
        "\"missing.conf\"", "\"a\\", "\"x\""};
    private static final String[] PUNCTUATION = {"{", "}", "[", "]", "(", ")", "=", ",", "{ }", "= (", "= [", "\""};
    private static final String[] TRIVIA = {" ", " ", " ", "\n", "\n", "\t", "\r\n", "# comment\n", "#", "/* block */",
        "/* unterminated", "*/", "/*/", "\uFEFF", "\r", "\u000B", "\f"};
    private static final char[] CHARS = {'{', '}', '[', ']', '(', ')', '=', ',', '"', '\\', '#', '/', '*', '\n', '\r',
        '\t', ' ', '0', '9', 'a', 'Z', ':', '.', '-', '_', '\u0000', '\u0001', '\u007F', '\u00e9', '\u2028', '\uFEFF',
        '\uFFFD', '\uD800', '\uDC00'};

    @TempDir
    Path dir;

    @Test
    void tokenSoup()
    {
        forEachSeed("tokenSoup", 150, (random, seed, iteration) ->
        {
            final String text = soup(random, random.nextInt(120));
            check(seed, iteration, text, () -> MsgcConfig.parse("fuzz.conf", text));
        });
    }

    @Test
    void mutatedSamples() throws Exception
    {
        final List<Path> samples;
        try (Stream<Path> files = Files.list(Path.of("conf")))
        {
            samples = files.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
        }
        final List<String> texts = new ArrayList<>();
        for (final Path sample : samples)
        {
            // the copies let the samples' include "msgc_server.conf" resolve next to the mutant
            Files.copy(sample, dir.resolve(sample.getFileName()));
            texts.add(Files.readString(sample, StandardCharsets.UTF_8));
        }
        final Path mutant = dir.resolve("mutant.conf");
        forEachSeed("mutatedSamples", 25, (random, seed, iteration) ->
        {
            final String text = mutate(random, texts.get(random.nextInt(texts.size())));
            final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (random.nextInt(8) == 0 && bytes.length > 0)
            {
                // a byte that is not UTF-8
                bytes[random.nextInt(bytes.length)] = (byte)(0x80 + random.nextInt(0x80));
            }
            Files.write(mutant, bytes);
            check(seed, iteration, text, () -> MsgcConfig.load(mutant));
            check(seed, iteration, text, () -> MsgcConfig.parse("fuzz.conf", text.replace("include", "x")));
        });
    }

    @Test
    void includeChains()
    {
        forEachSeed("includeChains", 6, (random, seed, iteration) ->
        {
            final Path set = Files.createDirectories(dir.resolve("s" + seed + "-" + iteration));
            final int files = 1 + random.nextInt(6);
            final StringBuilder all = new StringBuilder();
            for (int i = 0; i < files; i++)
            {
                final StringBuilder text = new StringBuilder(soup(random, random.nextInt(30)));
                final int includes = random.nextInt(4);
                for (int j = 0; j < includes; j++)
                {
                    text.append(random.nextBoolean() ? "\ninclude \"" : "\nmsgc_server { readonly_include \"")
                        .append(switch (random.nextInt(6))
                        {
                            case 0 -> ".";
                            case 1 -> "f" + i + ".conf";
                            case 2 -> "missing.conf";
                            case 3 -> "sub";
                            default -> "f" + random.nextInt(files) + ".conf";
                        })
                        .append('"').append(text.indexOf("msgc_server {", text.length() - 40) >= 0 ? " }" : "");
                    text.append(random.nextBoolean() ? "\n" : soup(random, random.nextInt(5)));
                }
                Files.writeString(set.resolve("f" + i + ".conf"), text.toString().replace("\uD800", "?"),
                    StandardCharsets.UTF_8);
                all.append("--- f").append(i).append(".conf\n").append(text);
            }
            Files.createDirectories(set.resolve("sub"));
            Files.writeString(set.resolve("sub/.hidden.conf"), "{{{", StandardCharsets.UTF_8);
            Files.writeString(set.resolve("sub/a.conf"), soup(random, random.nextInt(20)).replace("\uD800", "?"),
                StandardCharsets.UTF_8);
            check(seed, iteration, all.toString(), () -> MsgcConfig.load(set.resolve("f0.conf")));
        });
    }

    // ---- generators ---------------------------------------------------------------------------------------------

    private static String soup(final SplittableRandom random, final int tokens)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tokens; i++)
        {
            switch (random.nextInt(12))
            {
                case 0, 1, 2, 3 -> sb.append(pick(random, WORDS));
                case 4, 5 -> sb.append(pick(random, STRINGS));
                case 6, 7, 8 -> sb.append(pick(random, PUNCTUATION));
                case 9 -> sb.append(pick(random, TRIVIA));
                case 10 -> sb.append(nesting(random));
                default -> sb.append(pick(random, WORDS)).append(" = ").append(random.nextBoolean() ?
                    pick(random, WORDS) : pick(random, STRINGS));
            }
            sb.append(random.nextInt(4) == 0 ? "" : pick(random, TRIVIA));
        }
        return sb.toString();
    }

    private static String nesting(final SplittableRandom random)
    {
        final int kind = random.nextInt(20);
        // around the bound of 64, far past it (a stack overflow before the bound), or anything up to 200
        final int depth = kind < 5 ? 60 + random.nextInt(10) : kind == 5 ? 20_000 : 1 + random.nextInt(200);
        final String open = switch (random.nextInt(4))
        {
            case 0 -> "a { ";
            case 1 -> "Listen \"x\" { ";
            case 2 -> "(";
            default -> "[ k = ";
        };
        final String close = open.endsWith("{ ") ? "} " : open.equals("(") ? ")" : "] ";
        final int closed = random.nextBoolean() ? depth : random.nextInt(depth + 1);
        return (open.equals("(") || open.startsWith("[") ? "x = " : "") + open.repeat(depth) + close.repeat(closed);
    }

    private static String mutate(final SplittableRandom random, final String original)
    {
        final StringBuilder sb = new StringBuilder(original);
        final int mutations = 1 + random.nextInt(8);
        for (int m = 0; m < mutations; m++)
        {
            final int at = sb.length() == 0 ? 0 : random.nextInt(sb.length() + 1);
            final int span = Math.min(sb.length() - Math.min(at, sb.length()), 1 + random.nextInt(40));
            switch (random.nextInt(9))
            {
                case 0 -> sb.insert(at, CHARS[random.nextInt(CHARS.length)]);
                case 1 -> sb.delete(at, at + span);
                case 2 -> sb.insert(at, sb.substring(at, at + span));
                case 3 ->
                {
                    if (at < sb.length())
                    {
                        sb.setCharAt(at, random.nextBoolean() ? CHARS[random.nextInt(CHARS.length)] :
                            (char)(sb.charAt(at) ^ (1 << random.nextInt(8))));
                    }
                }
                case 4 -> sb.insert(at, nesting(random));
                case 5 -> sb.insert(at, random.nextBoolean() ? "99999999999999999999" : "2147483648");
                case 6 -> sb.insert(at, pick(random, WORDS));
                case 7 -> sb.insert(at, pick(random, STRINGS));
                default -> sb.insert(at, pick(random, PUNCTUATION));
            }
        }
        return sb.toString();
    }

    private static String pick(final SplittableRandom random, final String[] choices)
    {
        return choices[random.nextInt(choices.length)];
    }

    // ---- the oracle ---------------------------------------------------------------------------------------------

    /** One fuzz case. */
    @FunctionalInterface
    private interface Case
    {
        void run(SplittableRandom random, long seed, int iteration) throws Exception;
    }

    private static void forEachSeed(final String name, final int iterations, final Case fuzzCase)
    {
        final String only = System.getProperty("msgc.fuzz.seed");
        final long[] seeds = only == null ? SEEDS : new long[]{Long.decode(only)};
        for (final long seed : seeds)
        {
            assertTimeoutPreemptively(HANG, () ->
            {
                final SplittableRandom random = new SplittableRandom(seed);
                for (int i = 0, n = ITERATIONS == null ? iterations : ITERATIONS; i < n; i++)
                {
                    fuzzCase.run(random, seed, i);
                }
            }, () -> name + ": seed=" + seed + " did not finish within " + HANG + " (a hang?); rerun with " +
                "-Dmsgc.fuzz.seed=" + seed);
        }
    }

    private static void check(final long seed, final int iteration, final String input,
        final Callable<MsgcConfig> load)
    {
        try
        {
            load.call().describe();
        }
        catch (final ConfigException ex)
        {
            if (ex.errors().isEmpty())
            {
                fail(failure(seed, iteration, input, "ConfigException without errors"));
            }
            for (final ConfigError error : ex.errors())
            {
                final String text = error.toString();
                if (error.file() == null || error.file().isEmpty() || error.line() < 1 || error.column() < 1 ||
                    error.message() == null || error.message().isEmpty() ||
                    !text.startsWith(error.file() + ":" + error.line() + ":" + error.column() + ": "))
                {
                    fail(failure(seed, iteration, input, "error not in FILE:LINE:COL form: " + text));
                }
            }
        }
        catch (final Throwable t)
        {
            fail(failure(seed, iteration, input, t.toString()), t);
        }
    }

    private static String failure(final long seed, final int iteration, final String input, final String what)
    {
        final String shown = input.length() > 2000 ? input.substring(0, 2000) + "...(" + input.length() + " chars)" :
            input;
        return "seed=" + seed + " iteration=" + iteration + " (rerun with -Dmsgc.fuzz.seed=" + seed + "): " + what +
            "\n--- input ---\n" + shown;
    }
}
