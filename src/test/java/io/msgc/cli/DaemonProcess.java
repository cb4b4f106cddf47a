package io.msgc.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code msgcd} (or {@code msgc}) JVM started from the test classpath, its output collected line by line.
 */
final class DaemonProcess implements AutoCloseable
{
    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;

    private DaemonProcess(final Process process)
    {
        this.process = process;
        reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    output.append(line).append('\n');
                }
            }
            catch (final IOException ignore)
            {
                // process gone
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    static DaemonProcess start(final String mainClass, final String... args) throws IOException
    {
        return start(List.of(), mainClass, args);
    }

    static DaemonProcess start(final List<String> jvmArgs, final String mainClass, final String... args)
        throws IOException
    {
        return start(List.of(), jvmArgs, mainClass, args);
    }

    /**
     * @param prefix a command the JVM runs under, such as {@code ip netns exec NS} (it must exec the JVM, so that
     *               {@link #pid} and the signals are the JVM's).
     */
    static DaemonProcess start(
        final List<String> prefix, final List<String> jvmArgs, final String mainClass, final String... args)
        throws IOException
    {
        final List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return new DaemonProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    static DaemonProcess daemon(final Path config, final String node) throws IOException
    {
        return start("io.msgc.cli.MsgcDaemon", "-c", config.toString(), "-n", node);
    }

    /**
     * A daemon in a network namespace ({@code ip netns exec}, which execs the JVM).
     */
    static DaemonProcess daemonIn(final String netns, final Path config, final String node) throws IOException
    {
        return start(List.of("ip", "netns", "exec", netns), List.of(), "io.msgc.cli.MsgcDaemon",
            "-c", config.toString(), "-n", node);
    }

    /**
     * Run a launcher script (src/dist/bin/...) with the test classpath, as tools/ runs it with the checkout's.
     */
    static DaemonProcess script(final Path script, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(script.toAbsolutePath().toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("MSGC_CLASSPATH", System.getProperty("java.class.path"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return new DaemonProcess(builder.start());
    }

    /**
     * @return the process id (of the JVM: the launchers exec it).
     */
    long pid()
    {
        return process.pid();
    }

    /**
     * Send a signal with kill(1).
     *
     * @param name signal name without SIG: STOP, CONT, HUP, INT, TERM, USR1.
     */
    void signal(final String name) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid()))
            .redirectErrorStream(true).start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0)
        {
            throw new IOException("kill -s " + name + " " + process.pid() + " failed");
        }
    }

    /**
     * @return the resident set size of the process in KiB, from ps(1).
     */
    long rssKib() throws IOException, InterruptedException
    {
        final Process ps = new ProcessBuilder("ps", "-o", "rss=", "-p", Long.toString(process.pid())).start();
        final String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        ps.waitFor(5, TimeUnit.SECONDS);
        return Long.parseLong(out);
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    String output()
    {
        return output.toString();
    }

    boolean awaitOutput(final String needle, final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline)
        {
            if (output.indexOf(needle) >= 0)
            {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** SIGTERM and wait; the output is read to the end (Process.destroy would close the pipes at once). */
    int terminate() throws InterruptedException
    {
        try
        {
            signal("TERM");
        }
        catch (final IOException ex)
        {
            process.destroy();
        }
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        reader.join(5000); // the last lines, written just before the exit
        return process.exitValue();
    }

    /** SIGKILL: a crash. */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    int waitFor(final long timeoutMs) throws InterruptedException
    {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            throw new AssertionError("process did not exit within " + timeoutMs + " ms; output:\n" + output());
        }
        reader.join(5000);
        return process.exitValue();
    }

    /** {@inheritDoc} */
    public void close()
    {
        if (process.isAlive())
        {
            try
            {
                // a clean stop removes the node's counters file; SIGKILL would leave it behind
                signal("TERM");
                process.waitFor(5, TimeUnit.SECONDS);
            }
            catch (final IOException ignore)
            {
                // killed below
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            process.destroyForcibly();
            try
            {
                process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
