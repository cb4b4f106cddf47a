package io.msgc.server;

import io.msgc.admin.EventLog;
import io.msgc.conf.ListenerConfig;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.ServerConfig;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A whole cluster in one JVM on fresh loopback addresses {@code 127.a.b.1..N}, one shared config, every node on
 * the same port. Logs go to one in-memory stream the test can search.
 */
public final class Cluster implements AutoCloseable
{
    private final String prefix = Loopback.block();
    private final int port;
    private final ServerConfig config;
    private final MsgcServer[] servers;
    private final EventLog[] eventLogs;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true);
    private String logLevel = "NOTICE";

    /**
     * @param nodes  node count.
     * @param tuning adjusts the builder (timeouts etc.) before build.
     */
    public Cluster(final int nodes, final UnaryOperator<ServerConfig.Builder> tuning)
    {
        port = Loopback.freePort(prefix + "1");
        ServerConfig.Builder builder = ServerConfig.builder()
            .heartbeatIntervalMs(100)
            .peerTimeoutMs(600)
            .reconnectInitialMs(50)
            .reconnectInterval(1);
        for (int i = 1; i <= nodes; i++)
        {
            builder.peer("node" + i, prefix + i, port);
        }
        builder = tuning.apply(builder);
        config = builder.build();
        servers = new MsgcServer[nodes];
        eventLogs = new EventLog[nodes];
    }

    /**
     * @param nodes node count, default tuning (fast heartbeats).
     */
    public Cluster(final int nodes)
    {
        this(nodes, b -> b);
    }

    /**
     * Log at another level (INFO shows view changes) from the next node started on.
     *
     * @param level an EventLog level name.
     * @return this.
     */
    public Cluster logLevel(final String level)
    {
        logLevel = level;
        return this;
    }

    /**
     * @return the shared config.
     */
    public ServerConfig config()
    {
        return config;
    }

    /**
     * Start node i (1-based).
     *
     * @param i node number.
     * @return the server.
     */
    public MsgcServer start(final int i)
    {
        try
        {
            final ListenerConfig listener = MsgcConfig.parse("empty.conf", "").listener();
            eventLogs[i - 1] = new EventLog("node" + i, log, logLevel);
            servers[i - 1] = MsgcServer.start(config, listener, "node" + i, eventLogs[i - 1]);
            return servers[i - 1];
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cannot start node" + i + ": " + ex, ex);
        }
    }

    /**
     * Start every node.
     *
     * @return this.
     */
    public Cluster startAll()
    {
        for (int i = 1; i <= servers.length; i++)
        {
            start(i);
        }
        return this;
    }

    /**
     * Stop node i (1-based), as a crash: sockets close at once.
     *
     * @param i node number.
     */
    public void stop(final int i)
    {
        if (servers[i - 1] != null)
        {
            servers[i - 1].close();
            servers[i - 1] = null;
        }
        if (eventLogs[i - 1] != null)
        {
            eventLogs[i - 1].close();
            eventLogs[i - 1] = null;
        }
    }

    /**
     * @return the number of nodes in the config.
     */
    public int size()
    {
        return servers.length;
    }

    /**
     * @param i node number (1-based).
     * @return the running server or null.
     */
    public MsgcServer server(final int i)
    {
        return servers[i - 1];
    }

    /**
     * @param i node number (1-based).
     * @return its listen address.
     */
    public InetSocketAddress address(final int i)
    {
        return new InetSocketAddress(prefix + i, port);
    }

    /**
     * @param i node number (1-based).
     * @return its host.
     */
    public String host(final int i)
    {
        return prefix + i;
    }

    /**
     * @return the port every node listens on.
     */
    public int port()
    {
        return port;
    }

    /**
     * @param i     node (1-based).
     * @param nodes node numbers (1-based) node i should see as reachable, itself included.
     * @return true when node i's view is exactly that set.
     */
    public boolean sees(final int i, final int... nodes)
    {
        long mask = 0;
        for (final int n : nodes)
        {
            mask |= 1L << (n - 1);
        }
        return servers[i - 1] != null && servers[i - 1].reachableNodes() == mask;
    }

    /**
     * @return true when every running node sees every running node.
     */
    public boolean fullMesh()
    {
        long running = 0;
        for (int i = 0; i < servers.length; i++)
        {
            if (servers[i] != null)
            {
                running |= 1L << i;
            }
        }
        for (final MsgcServer server : servers)
        {
            if (server != null && server.reachableNodes() != running)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return every log line so far (the logs write off the event loop: this waits until they have written).
     */
    public String logs()
    {
        for (final EventLog eventLog : eventLogs)
        {
            if (eventLog != null)
            {
                eventLog.flush(2000);
            }
        }
        return logBytes.toString();
    }

    /**
     * Wait, bounded, for a condition.
     *
     * @param what      description for the failure message.
     * @param timeoutMs longest wait.
     * @param condition polled every 10 ms.
     */
    public static void await(final String what, final long timeoutMs, final BooleanSupplier condition)
    {
        await(what, timeoutMs, condition, () -> "");
    }

    /**
     * Wait, bounded, for a condition.
     *
     * @param what      description for the failure message.
     * @param timeoutMs longest wait.
     * @param condition polled every 10 ms.
     * @param detail    what the failure message adds, computed when it fails.
     */
    public static void await(
        final String what, final long timeoutMs, final BooleanSupplier condition, final Supplier<String> detail)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what + ". " +
                    detail.get());
            }
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** {@inheritDoc} */
    public void close()
    {
        for (int i = 1; i <= servers.length; i++)
        {
            stop(i);
        }
    }
}
