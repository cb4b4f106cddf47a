package io.msgc.cli;

import io.msgc.admin.EventLog;
import io.msgc.admin.Version;
import io.msgc.conf.ConfigException;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.PeerConfig;
import io.msgc.conf.PeerHostCheck;
import io.msgc.conf.ServerConfig;
import io.msgc.server.MsgcServer;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@code msgcd}: runs one {@code msgc_server} node, or checks a config file.
 * <pre>
 *   msgcd -c FILE [-n NODE]     run the node (without -n: the peer whose address is bound on this host)
 *   msgcd --check -c FILE       parse and validate, print the effective configuration and warn about peers
 *                               hosts that do not resolve; exit 0, or 2 on errors
 *   msgcd --version             print the version
 * </pre>
 * Signals: TERM and INT stop the node cleanly (exit 0); HUP re-reads the config file and applies what can change
 * live (a bad file changes nothing); USR1 reopens {@code log_file} (for logrotate).
 * Exit codes: 0 ok, 1 runtime failure (cannot bind, a fatal error on the event loop, a stop that hung),
 * 2 bad config or usage.
 */
public final class MsgcDaemon
{
    /** Longest a clean stop may take before the daemon gives up and exits 1. */
    static final long STOP_TIMEOUT_MS = 10_000;

    private MsgcDaemon()
    {
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    static int run(final String[] args)
    {
        String file = null;
        String node = null;
        boolean check = false;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "-c": case "--config":
                case "-n": case "--name":
                    if (i + 1 >= args.length)
                    {
                        System.err.println("msgcd: " + args[i] + " needs a value");
                        usage(System.err);
                        return 2;
                    }
                    if (args[i].startsWith("-c") || args[i].equals("--config"))
                    {
                        file = args[++i];
                    }
                    else
                    {
                        node = args[++i];
                    }
                    break;
                case "--check": check = true; break;
                case "--version": System.out.println(Version.line("msgcd")); return 0;
                case "-h": case "--help": usage(System.out); return 0;
                default:
                    System.err.println("msgcd: unknown argument '" + args[i] + "'");
                    usage(System.err);
                    return 2;
            }
        }
        if (file == null)
        {
            System.err.println("msgcd: missing -c FILE");
            usage(System.err);
            return 2;
        }
        final MsgcConfig config;
        try
        {
            config = MsgcConfig.load(Path.of(file));
        }
        catch (final ConfigException ex)
        {
            for (final var error : ex.errors())
            {
                System.err.println(error);
            }
            System.err.println("msgcd: " + ex.errors().size() + " error(s) in " + file);
            return 2;
        }
        catch (final RuntimeException ex)
        {
            // load reports everything as ConfigException; this is the last guard against a stack trace
            System.err.println(file + ":1:1: cannot load the configuration: " + ex);
            System.err.println("msgcd: 1 error(s) in " + file);
            return 2;
        }
        for (final String ignored : config.ignored())
        {
            System.err.println("msgcd: " + ignored);
        }
        if (check)
        {
            System.out.print(config.describe());
            if (config.server() != null)
            {
                // a valid file may name a host whose DNS record is not there yet: say so, do not fail
                for (final String warning : PeerHostCheck.unresolvedHosts(config.server()))
                {
                    System.err.println("msgcd: WARNING: " + warning);
                }
            }
            System.out.println("msgcd: " + file + " is valid");
            return 0;
        }
        final ServerConfig server = config.server();
        if (server == null)
        {
            System.err.println("msgcd: " + file + " has no msgc_server scope; add msgc_server { peers = [ ... ] }");
            return 2;
        }
        if (!server.enabled())
        {
            System.err.println("msgcd: msgc_server is disabled (enabled = false) in " + file + "; nothing to run");
            return 0;
        }
        if (node == null)
        {
            try
            {
                node = pickLocalNode(server);
            }
            catch (final IllegalStateException ex)
            {
                System.err.println("msgcd: " + ex.getMessage());
                return 2;
            }
        }
        final EventLog log = new EventLog(node, System.out, server.debugLevel());
        log.configure(server.debugLevel(), server.logFile(), server.logFormat());
        try
        {
            return serve(config, server, node, Path.of(file), log);
        }
        finally
        {
            log.close();
        }
    }

    private static int serve(
        final MsgcConfig config, final ServerConfig server, final String node, final Path file, final EventLog log)
    {
        // the signal threads only hand events to this thread, which does the work
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        for (final String signal : new String[]{"TERM", "INT", "HUP"})
        {
            final String refused = Signals.handle(signal, () -> events.offer(signal));
            if (refused != null)
            {
                log.notice("signal-not-handled", "signal=" + signal + " reason=\"" + refused + "\"" +
                    ("HUP".equals(signal) ? " action=\"reload with: msgc reload -s HOST:PORT\"" : ""));
            }
        }
        final String usr1 = Signals.handle("USR1", log::reopen);
        if (usr1 != null)
        {
            log.notice("signal-not-handled", "signal=USR1 reason=\"" + usr1 + "\"");
        }
        final MsgcServer msgcServer;
        try
        {
            msgcServer = MsgcServer.start(server, config.listener(), node, log, file);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("msgcd: " + ex.getMessage());
            return 2;
        }
        catch (final IOException ex)
        {
            log.log(EventLog.Level.CRITICAL, "start-failed", "reason=\"" + ex.getMessage() + "\"");
            return 1;
        }
        msgcServer.terminated().thenRun(() -> events.offer("LOOP-STOPPED"));
        msgcServer.drained().thenRun(() -> events.offer("drain"));
        while (true)
        {
            final String event;
            try
            {
                event = events.take();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return stop(msgcServer, log, "interrupt");
            }
            switch (event)
            {
                case "HUP":
                    msgcServer.reloadFile();
                    break;
                case "LOOP-STOPPED":
                {
                    final Throwable cause = msgcServer.terminated().join();
                    if (cause == null)
                    {
                        return 0;
                    }
                    log.log(EventLog.Level.CRITICAL, "exiting", "code=1 reason=\"" + cause + "\" counters=" +
                        msgcServer.countersFile() + " action=\"the event loop died; a supervisor should restart " +
                        "the node (msgc errors shows the stack trace)\"");
                    System.err.println("msgcd: node " + node + ": fatal error on the event loop; exiting with 1");
                    cause.printStackTrace();
                    msgcServer.close();
                    return 1;
                }
                default:
                    return stop(msgcServer, log, event);
            }
        }
    }

    /** A clean stop: exit 0, or 1 when the loop does not stop within {@link #STOP_TIMEOUT_MS}. */
    private static int stop(final MsgcServer msgcServer, final EventLog log, final String signal)
    {
        log.notice("stopping", "signal=" + signal);
        final Thread closer = new Thread(msgcServer::close, "msgcd-stop");
        closer.setDaemon(true);
        closer.start();
        try
        {
            closer.join(STOP_TIMEOUT_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive())
        {
            log.log(EventLog.Level.CRITICAL, "stop-timeout", "after_ms=" + STOP_TIMEOUT_MS +
                " reason=\"the event loop did not stop\" action=\"exiting with 1\"");
            return 1;
        }
        return 0;
    }

    /**
     * The peer whose address is configured on a local interface.
     *
     * @throws IllegalStateException when none or several match.
     */
    static String pickLocalNode(final ServerConfig server)
    {
        final List<String> matches = new ArrayList<>();
        for (final PeerConfig peer : server.peers())
        {
            try
            {
                final InetAddress address = InetAddress.getByName(peer.host());
                if (NetworkInterface.getByInetAddress(address) != null)
                {
                    matches.add(peer.name());
                }
            }
            catch (final IOException ignore)
            {
                // unresolvable: not this host
            }
        }
        if (matches.size() != 1)
        {
            throw new IllegalStateException((matches.isEmpty() ? "no peer" : "several peers " + matches) +
                " of " + server.peersDescription() + " have an address bound on this host; pass -n NODE");
        }
        return matches.get(0);
    }

    private static void usage(final PrintStream out)
    {
        out.println("usage: msgcd -c FILE [-n NODE]      run a msgc_server node\n" +
            "       msgcd --check -c FILE       validate FILE and print the effective configuration\n" +
            "       msgcd --version             print the version\n" +
            "signals: TERM/INT stop (exit 0), HUP reloads the config, USR1 reopens log_file\n" +
            "exit codes: 0 ok, 1 runtime failure, 2 bad config or usage");
    }
}
