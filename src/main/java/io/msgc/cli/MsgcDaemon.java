package io.msgc.cli;

import io.msgc.admin.EventLog;
import io.msgc.conf.ConfigException;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.PeerConfig;
import io.msgc.conf.PeerHostCheck;
import io.msgc.conf.ServerConfig;
import io.msgc.server.MsgcServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code msgcd}: runs one {@code msgc_server} node, or checks a config file.
 * <pre>
 *   msgcd -c FILE [-n NODE]     run the node (without -n: the peer whose address is bound on this host)
 *   msgcd --check -c FILE       parse and validate, print the effective configuration and warn about peers
 *                               hosts that do not resolve; exit 0, or 2 on errors
 * </pre>
 * Exit codes: 0 ok, 1 runtime failure (cannot bind, ...), 2 bad config or usage.
 */
public final class MsgcDaemon
{
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
                case "-c": case "--config": file = i + 1 < args.length ? args[++i] : null; break;
                case "-n": case "--name": node = i + 1 < args.length ? args[++i] : null; break;
                case "--check": check = true; break;
                case "-h": case "--help": usage(); return 0;
                default:
                    System.err.println("msgcd: unknown argument '" + args[i] + "'");
                    usage();
                    return 2;
            }
        }
        if (file == null)
        {
            System.err.println("msgcd: missing -c FILE");
            usage();
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
        final MsgcServer msgcServer;
        try
        {
            msgcServer = MsgcServer.start(server, config.listener(), node, log);
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
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            log.notice("stopping", "signal=TERM");
            msgcServer.close();
            stopped.countDown();
        }, "msgcd-shutdown"));
        try
        {
            stopped.await();
        }
        catch (final InterruptedException ignore)
        {
            Thread.currentThread().interrupt();
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

    private static void usage()
    {
        System.err.println("usage: msgcd -c FILE [-n NODE]      run a msgc_server node\n" +
            "       msgcd --check -c FILE       validate FILE and print the effective configuration");
    }
}
