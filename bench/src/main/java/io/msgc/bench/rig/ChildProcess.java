package io.msgc.bench.rig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JVM the rig starts for the multi-process mode (a daemon or a relay), on the rig's own classpath, with the
 * daemon launcher's JVM flags ({@code src/dist/bin/msgcd}) plus {@code -Dmsgc.bench.childOpts}. Its output is
 * kept line by line (and shown on stderr with {@code -Dmsgc.bench.serverLog=true}).
 */
final class ChildProcess implements AutoCloseable
{
    /** The JVM flags of {@code src/dist/bin/msgcd}. */
    private static final List<String> JVM_FLAGS = List.of("-Xms32m", "-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=10");

    private final String name;
    private final Process process;
    private final List<String> lines = new ArrayList<>();

    private ChildProcess(final String name, final Process process)
    {
        this.name = name;
        this.process = process;
        final Thread reader = new Thread(() ->
        {
            final boolean echo = Boolean.getBoolean("msgc.bench.serverLog");
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    synchronized (lines)
                    {
                        lines.add(line);
                        lines.notifyAll();
                    }
                    if (echo)
                    {
                        System.err.println("[" + name + "] " + line);
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the process is gone
            }
        }, "msgc-bench-output-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * @param name      a short name for messages.
     * @param mainClass the class to run.
     * @param args      its arguments.
     * @return the started process.
     * @throws IOException when it cannot be started.
     */
    static ChildProcess start(final String name, final String mainClass, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        final String extra = System.getProperty("msgc.bench.childOpts", "").trim();
        if (!extra.isEmpty())
        {
            command.addAll(Arrays.asList(extra.split("\\s+")));
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return new ChildProcess(name, new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /**
     * Wait for an output line.
     *
     * @param match     what the line must satisfy.
     * @param timeoutMs longest wait.
     * @param what      what is waited for, for the error.
     * @return the line.
     * @throws IllegalStateException on timeout or when the process ended first.
     */
    String awaitLine(final Predicate<String> match, final long timeoutMs, final String what)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        int seen = 0;
        synchronized (lines)
        {
            while (true)
            {
                for (; seen < lines.size(); seen++)
                {
                    if (match.test(lines.get(seen)))
                    {
                        return lines.get(seen);
                    }
                }
                final long left = deadline - System.currentTimeMillis();
                if (left <= 0 || !process.isAlive())
                {
                    throw new IllegalStateException(name + (process.isAlive() ? " did not report " + what +
                        " within " + timeoutMs + " ms" : " exited before " + what) + "; its output:\n" +
                        String.join("\n", lines));
                }
                try
                {
                    lines.wait(Math.min(left, 100));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for " + name);
                }
            }
        }
    }

    /**
     * Stop it (SIGTERM, then SIGKILL after 5 s) and wait for it.
     */
    @Override
    public void close()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
