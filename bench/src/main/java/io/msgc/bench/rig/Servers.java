package io.msgc.bench.rig;

import io.msgc.admin.EventLog;
import io.msgc.conf.ConfigException;
import io.msgc.conf.IdleStrategyKind;
import io.msgc.conf.ListenerConfig;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.ServerConfig;
import io.msgc.server.MsgcServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The msgc servers of one run: in this JVM, as {@code msgcd} processes, or a deployed cluster.
 */
abstract class Servers implements AutoCloseable
{
    /**
     * @param node 0-based node index (the publisher is on node 0, the subscribers on the last).
     * @return its client address.
     */
    abstract InetSocketAddress address(int node);

    /**
     * @return the embedded server of node 0, or null when the servers are not in this JVM.
     */
    MsgcServer embedded()
    {
        return null;
    }

    @Override
    public abstract void close();

    /**
     * @param nodes node count.
     * @return loopback hosts 127.0.0.1, 127.0.0.2, ...
     */
    static String[] hosts(final int nodes)
    {
        final String[] hosts = new String[nodes];
        for (int i = 0; i < nodes; i++)
        {
            hosts[i] = "127.0.0." + (i + 1);
        }
        return hosts;
    }

    /**
     * Real servers in this JVM, each on its own agent thread.
     *
     * @param nodes node count.
     * @param idle  their idle strategy.
     * @return the running servers, in a full mesh.
     * @throws IOException when a server cannot bind.
     */
    static Servers inJvm(final int nodes, final IdleStrategyKind idle) throws IOException
    {
        final String[] hosts = hosts(nodes);
        final int port = MsgcTopology.freePort(hosts);
        // -Dmsgc.bench.secret=SECRET: servers and clients authenticate (the handshake only: the data path is the same)
        final ServerConfig.Builder builder = ServerConfig.builder().idleStrategy(idle).authSecret(MsgcTopology.SECRET);
        for (int i = 0; i < nodes; i++)
        {
            builder.peer("node" + (i + 1), hosts[i], port);
        }
        final ServerConfig config = builder.build();
        final ListenerConfig listener;
        try
        {
            // clients connect on the peer port; no extra msgcserver_listener
            listener = MsgcConfig.parse("msgc-bench.conf", "").listener();
        }
        catch (final ConfigException ex)
        {
            throw new IllegalStateException(ex);
        }
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
            final long all = (1L << nodes) - 1;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
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
        catch (final IOException | RuntimeException ex)
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
        return new Servers()
        {
            InetSocketAddress address(final int node)
            {
                return new InetSocketAddress(hosts[node], port);
            }

            MsgcServer embedded()
            {
                return servers[0];
            }

            public void close()
            {
                for (final MsgcServer server : servers)
                {
                    server.close();
                }
            }
        };
    }

    /**
     * Real {@code msgcd} daemons ({@code io.msgc.cli.MsgcDaemon} with the daemon launcher's JVM flags), one process
     * per node, on a config file generated for loopback addresses.
     *
     * @param nodes node count.
     * @param idle  their idle strategy.
     * @return the running daemons, in a full mesh.
     * @throws IOException when a daemon cannot start.
     */
    static Servers processes(final int nodes, final IdleStrategyKind idle) throws IOException
    {
        final String[] hosts = hosts(nodes);
        final int port = MsgcTopology.freePort(hosts);
        final Path dir = Files.createTempDirectory("msgc-bench-");
        final StringBuilder conf = new StringBuilder()
            .append("# generated by msgc-bench\nmsgc_server {\n")
            .append("  idle_strategy = \"").append(idle.configName()).append("\"\n")
            .append("  counters_file = \"").append(dir.resolve("%n.counters")).append("\"\n");
        if (MsgcTopology.SECRET != null)
        {
            final Path secretFile = dir.resolve("secret");
            Files.writeString(secretFile, System.getProperty("msgc.bench.secret") + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
            conf.append("  auth_secret_file = \"").append(secretFile).append("\"\n");
        }
        conf.append("  peers = [\n");
        for (int i = 0; i < nodes; i++)
        {
            conf.append("    node").append(i + 1).append(" = \"").append(hosts[i]).append(':').append(port)
                .append("\"\n");
        }
        conf.append("  ]\n}\n");
        try
        {
            MsgcConfig.parse("msgc-bench.conf", conf.toString());
        }
        catch (final ConfigException ex)
        {
            throw new IllegalStateException("the generated config is wrong: " + ex.getMessage() + "\n" + conf, ex);
        }
        final Path file = dir.resolve("msgc_server.conf");
        Files.writeString(file, conf, StandardCharsets.UTF_8);
        final ChildProcess[] daemons = new ChildProcess[nodes];
        try
        {
            for (int i = 0; i < nodes; i++)
            {
                daemons[i] = ChildProcess.start("node" + (i + 1), "io.msgc.cli.MsgcDaemon",
                    "-c", file.toString(), "-n", "node" + (i + 1));
            }
            // every node logs the view with every node in it once the mesh is whole; a node alone starts in its
            // own view, which it does not log: it is ready once it listens
            final StringBuilder all = new StringBuilder();
            for (int i = 0; i < nodes; i++)
            {
                all.append(i == 0 ? "" : ",").append("node").append(i + 1);
            }
            for (final ChildProcess daemon : daemons)
            {
                daemon.awaitLine(line -> nodes == 1 ? line.contains(" listening ") :
                    line.contains(" node-view ") && line.contains("nodes=[" + all + "]"),
                    TimeUnit.SECONDS.toMillis(30), "the full mesh (a node-view with " + all + ")");
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            for (final ChildProcess daemon : daemons)
            {
                if (daemon != null)
                {
                    daemon.close();
                }
            }
            throw ex;
        }
        return new Servers()
        {
            InetSocketAddress address(final int node)
            {
                return new InetSocketAddress(hosts[node], port);
            }

            public void close()
            {
                for (final ChildProcess daemon : daemons)
                {
                    daemon.close();
                }
                try
                {
                    Files.deleteIfExists(file);
                    try (var files = Files.list(dir))
                    {
                        for (final Path p : (Iterable<Path>)files::iterator)
                        {
                            Files.deleteIfExists(p);
                        }
                    }
                    Files.deleteIfExists(dir);
                }
                catch (final IOException ignore)
                {
                    // a temp directory left behind
                }
            }
        };
    }

    /**
     * A deployed cluster: node i is the i-th address; nothing is started or stopped.
     *
     * @param addresses the servers' client addresses, in peers order.
     * @return the cluster.
     */
    static Servers external(final List<InetSocketAddress> addresses)
    {
        return new Servers()
        {
            InetSocketAddress address(final int node)
            {
                return addresses.get(node);
            }

            public void close()
            {
            }
        };
    }
}
