package io.msgc.bench;

import io.msgc.conf.ConfigException;
import io.msgc.conf.MsgcConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lexing, parsing and validation of the sample configuration files in {@code conf/}. Not the hot path (a file
 * is read once at start): allocation is expected and only reported.
 * <ul>
 *   <li>{@code parse}: {@link MsgcConfig#parse} of the text read in setup. Top-level {@code include} lines are
 *       expanded in setup (with the same effective configuration, checked), so no disk I/O is measured.</li>
 *   <li>{@code load}: {@link MsgcConfig#load}, as {@code msgcd} calls it: reads the file and its includes.</li>
 * </ul>
 * The files are looked up in {@code conf/} of the working directory (run from the repository root), or in the
 * directory named by {@code -Dmsgc.conf.dir=...}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConfigParseBenchmark
{
    private static final Pattern INCLUDE = Pattern.compile("^[ \\t]*include[ \\t]+\"([^\"]+)\"[ \\t]*$",
        Pattern.MULTILINE | Pattern.CASE_INSENSITIVE);

    @Param({"msgc_server.conf", "eccluster.conf", "ecelerity-cluster.conf"})
    String file;

    private Path path;
    private String text;

    /**
     * Read the file once, expand its includes, and check both benchmarks yield the same configuration.
     *
     * @throws IOException     when a file cannot be read.
     * @throws ConfigException when a sample file is invalid.
     */
    @Setup
    public void setup() throws IOException, ConfigException
    {
        final Path dir = Path.of(System.getProperty("msgc.conf.dir", "conf"));
        path = dir.resolve(file);
        if (!Files.isRegularFile(path))
        {
            throw new IllegalStateException(path.toAbsolutePath() + " not found: run from the repository root or " +
                "pass -jvmArgsAppend -Dmsgc.conf.dir=<dir of the sample files>");
        }
        text = expandIncludes(dir, Files.readString(path, StandardCharsets.UTF_8));
        final MsgcConfig fromText = parse();
        final MsgcConfig fromFile = load();
        final String parsed = fromText.describe();
        final String loaded = fromFile.describe();
        // ignored() notes name file:line, which expansion shifts: compare their count, and the values exactly
        if (!effective(parsed).equals(effective(loaded)) || fromText.ignored().size() != fromFile.ignored().size())
        {
            throw new IllegalStateException("expanded text of " + path + " differs from load():\n" + parsed +
                "\n---\n" + loaded);
        }
    }

    /**
     * @return the configuration, consumed so the work is not eliminated.
     * @throws ConfigException never for the sample files.
     */
    @Benchmark
    public MsgcConfig parse() throws ConfigException
    {
        return MsgcConfig.parse(file, text);
    }

    /**
     * @return the configuration, consumed so the work is not eliminated.
     * @throws ConfigException never for the sample files.
     */
    @Benchmark
    public MsgcConfig load() throws ConfigException
    {
        return MsgcConfig.load(path);
    }

    /** Replace each top-level {@code include "file"} line by the file's text (the sample files include files only). */
    private static String expandIncludes(final Path dir, final String text) throws IOException
    {
        final Matcher m = INCLUDE.matcher(text);
        final StringBuilder sb = new StringBuilder();
        while (m.find())
        {
            final String included = Files.readString(dir.resolve(m.group(1)), StandardCharsets.UTF_8);
            m.appendReplacement(sb, Matcher.quoteReplacement(expandIncludes(dir, included)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String effective(final String describe)
    {
        return describe.replaceAll("(?m)^#.*\\n", "");
    }
}
