package io.msgc.bench.rig;

import io.msgc.admin.EventLog;
import io.msgc.client.MsgcException;
import io.msgc.conf.ConfigException;
import io.msgc.conf.IdleStrategyKind;
import io.msgc.conf.ListenerConfig;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.Secret;
import io.msgc.conf.ServerConfig;
import io.msgc.server.MsgcServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Real msgc servers, in this process, on loopback ({@code 127.0.0.1}, and {@code 127.0.0.2} for the second
 * node), each on its own agent thread with the profile's idle strategy; endpoints on the real client library.
 * The publisher is on node1 and joins {@code bench.a}; the subscribers are on the last node and join
 * {@code bench.b}.
 */
final class MsgcTopology implements Topology
{
    static final String GROUP_A = "bench.a";
    static final String GROUP_B = "bench.b";
    /** The secret of {@code -Dmsgc.bench.secret}, or null. */
    static final Secret SECRET = System.getProperty("msgc.bench.secret") == null ? null :
        Secret.of(System.getProperty("msgc.bench.secret"));

    private final MsgcServer[] servers;
    private final Endpoint publisher;
    private final Endpoint[] subscribers;

    private MsgcTopology(final MsgcServer[] servers, final Endpoint publisher, final Endpoint[] subscribers)
    {
        this.servers = servers;
        this.publisher = publisher;
        this.subscribers = subscribers;
    }

    /**
     * Start the servers, wait for the mesh, connect the endpoints.
     *
     * @param nodes       1 or 2.
     * @param subscribers subscriber count.
     * @param idle        the servers' idle strategy.
     * @return the running topology.
     * @throws IOException   when a server cannot bind.
     * @throws MsgcException when a client is refused.
     */
    static MsgcTopology start(final int nodes, final int subscribers, final IdleStrategyKind idle)
        throws IOException, MsgcException
    {
        final String[] hosts = new String[nodes];
        for (int i = 0; i < nodes; i++)
        {
            hosts[i] = "127.0.0." + (i + 1);
        }
        final int port = freePort(hosts);
        // -Dmsgc.bench.secret=SECRET: servers and clients authenticate (the handshake only: the data path is the same)
        final ServerConfig.Builder builder = ServerConfig.builder().idleStrategy(idle).authSecret(SECRET);
        for (int i = 0; i < nodes; i++)
        {
            builder.peer("node" + (i + 1), hosts[i], port);
        }
        final ServerConfig config = builder.build();
        final ListenerConfig listener = noListener();
        final MsgcServer[] servers = new MsgcServer[nodes];
        // server events are not the rig's output; -Dmsgc.bench.serverLog=true shows them on stderr
        final PrintStream log = Boolean.getBoolean("msgc.bench.serverLog") ? System.err :
            new PrintStream(OutputStream.nullOutputStream());
        try
        {
            for (int i = 0; i < nodes; i++)
            {
                servers[i] = MsgcServer.start(config, listener, "node" + (i + 1),
                    new EventLog("node" + (i + 1), log, "NOTICE"));
            }
            awaitMesh(servers);
            final Endpoint publisher = new MsgcEndpoint(hosts[0], port, "pub", GROUP_A, GROUP_B);
            final Endpoint[] subs = new Endpoint[subscribers];
            for (int i = 0; i < subscribers; i++)
            {
                subs[i] = new MsgcEndpoint(hosts[nodes - 1], port, "sub" + i, GROUP_B, GROUP_A);
            }
            return new MsgcTopology(servers, publisher, subs);
        }
        catch (final IOException | MsgcException | RuntimeException ex)
        {
            for (final MsgcServer server : servers)
            {
                if (server != null)
                {
                    server.close();
                }
            }
            throw ex;
        }
    }

    private static ListenerConfig noListener()
    {
        try
        {
            // clients connect on the peer port; no extra msgcserver_listener
            return MsgcConfig.parse("msgc-bench.conf", "").listener();
        }
        catch (final ConfigException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void awaitMesh(final MsgcServer[] servers)
    {
        final long all = (1L << servers.length) - 1;
        final long deadline = System.nanoTime() + 10_000_000_000L;
        for (final MsgcServer server : servers)
        {
            while (server.reachableNodes() != all)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("the servers did not form a full mesh within 10 s");
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * @param hosts loopback hosts that must all have the port free.
     * @return a port free on every host (a race with other programs is possible but harmless: start fails).
     */
    static int freePort(final String... hosts) throws IOException
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            final int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(hosts[0])))
            {
                port = probe.getLocalPort();
            }
            boolean free = true;
            for (int i = 1; i < hosts.length && free; i++)
            {
                try (ServerSocket probe = new ServerSocket())
                {
                    probe.bind(new InetSocketAddress(InetAddress.getByName(hosts[i]), port));
                }
                catch (final IOException ex)
                {
                    free = false;
                }
            }
            if (free)
            {
                return port;
            }
        }
        throw new IOException("no port free on all of " + String.join(", ", hosts));
    }

    @Override
    public Endpoint publisher()
    {
        return publisher;
    }

    @Override
    public Endpoint[] subscribers()
    {
        return subscribers;
    }

    @Override
    public String system()
    {
        return "msgc";
    }

    @Override
    public void close()
    {
        publisher.close();
        for (final Endpoint subscriber : subscribers)
        {
            subscriber.close();
        }
        for (final MsgcServer server : servers)
        {
            server.close();
        }
    }
}
