package io.msgc.server;

import io.msgc.admin.CountersFile;
import io.msgc.admin.CountersSnapshot;
import io.msgc.admin.EventLog;
import io.msgc.admin.MetricsServer;
import io.msgc.admin.NodeCounters;
import io.msgc.admin.ReloadResult;
import io.msgc.admin.Version;
import io.msgc.client.InProcessMember;
import io.msgc.client.MsgcException;
import io.msgc.conf.ConfigError;
import io.msgc.conf.ConfigException;
import io.msgc.conf.ListenConfig;
import io.msgc.conf.ListenerConfig;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.PeerConfig;
import io.msgc.conf.ServerConfig;
import io.msgc.io.MemberChannel;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.NameRules;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.status.CountersManager;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One running {@code msgc_server} node: binds its listener on the caller's thread (so that errors surface at
 * once), then runs the {@link ServerAgent} on its own thread with the configured idle strategy.
 * Embeddable: tests run whole clusters of these in one JVM.
 * <p>
 * The node keeps its counters and error log in a memory-mapped {@link CountersFile} (deleted on a clean
 * {@link #close}, kept after a fatal error for {@code msgc stat} and {@code msgc errors}), serves
 * {@code metrics_listen} when set, and re-reads its configuration on {@link #reload}.
 */
public final class MsgcServer implements AutoCloseable
{
    /** Longest wait for the event loop to run a reload. */
    static final long RELOAD_WAIT_MS = 10_000;

    private final ServerAgent agent;
    private final AgentRunner runner;
    private final String node;
    private final EventLog log;
    private final CountersFile countersFile;
    private final MetricsServer metrics;
    private final Path configFile;
    private final ExecutorService reloader;
    private final CompletableFuture<Throwable> terminated = new CompletableFuture<>();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean closing;
    private volatile Throwable fatal;
    private volatile Throwable lastError;

    private MsgcServer(
        final ServerAgent agent,
        final AgentRunner runner,
        final String node,
        final EventLog log,
        final CountersFile countersFile,
        final MetricsServer metrics,
        final Path configFile)
    {
        this.agent = agent;
        this.runner = runner;
        this.node = node;
        this.log = log;
        this.countersFile = countersFile;
        this.metrics = metrics;
        this.configFile = configFile;
        reloader = configFile == null ? null : Executors.newSingleThreadExecutor(r ->
        {
            final Thread thread = new Thread(r, "msgc-reload-" + node);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Start a node without a config file (embedded, tests): {@link #reload(MsgcConfig)} still works, the admin
     * {@code reload} command answers that there is no file.
     *
     * @param config   the {@code msgc_server} scope.
     * @param listener the {@code msgcserver_listener} scope.
     * @param node     this node's name in the peers list.
     * @param log      where events go.
     * @return the running server.
     * @throws IOException              when a listen address cannot be bound or the counters file not created.
     * @throws IllegalArgumentException when the node is not in the peers list.
     */
    public static MsgcServer start(
        final ServerConfig config, final ListenerConfig listener, final String node, final EventLog log)
        throws IOException
    {
        return start(config, listener, node, log, null);
    }

    /**
     * Start a node.
     *
     * @param config     the {@code msgc_server} scope.
     * @param listener   the {@code msgcserver_listener} scope.
     * @param node       this node's name in the peers list.
     * @param log        where events go.
     * @param configFile the file {@link #reloadFile()} and the admin {@code reload} command re-read; null for none.
     * @return the running server.
     * @throws IOException              when a listen address cannot be bound or the counters file not created.
     * @throws IllegalArgumentException when the node is not in the peers list.
     */
    public static MsgcServer start(
        final ServerConfig config,
        final ListenerConfig listener,
        final String node,
        final EventLog log,
        final Path configFile) throws IOException
    {
        final PeerConfig self = config.peer(node);
        if (self == null)
        {
            throw new IllegalArgumentException("node '" + node + "' is not in the peers list " +
                config.peersDescription() + "; pass one of those names with -n");
        }
        if ((config.authSecretFile() != null && config.authSecret() == null) ||
            (config.adminSecretFile() != null && config.adminSecret() == null))
        {
            throw new IllegalArgumentException("the configuration was loaded without reading its secret files " +
                "(auth_secret_file, admin_secret_file); load it with MsgcConfig.load(file) to run a node");
        }
        if (config.peers().size() > 64)
        {
            throw new IllegalArgumentException("at most 64 peers are supported, the peers list has " +
                config.peers().size());
        }
        final Path countersPath = CountersFile.path(config, self.name());
        final CountersFile countersFile;
        try
        {
            countersFile = CountersFile.create(countersPath, self.name(), Version.VERSION,
                ProcessHandle.current().pid(), SystemEpochClock.INSTANCE.time(), config.peerTimeoutMs());
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot create the counters file " + countersPath + " for node " + self.name() +
                ": " + ex.getMessage(), ex);
        }
        final CountersManager manager = new CountersManager(
            countersFile.metadataBuffer(), countersFile.valuesBuffer(), StandardCharsets.US_ASCII);
        final DistinctErrorLog errorLog =
            new DistinctErrorLog(countersFile.errorLogBuffer(), SystemEpochClock.INSTANCE);
        MetricsServer metrics = null;
        ServerAgent agent = null;
        try
        {
            agent = new ServerAgent(config, listener, self, log, new NodeCounters(manager), countersFile,
                MsgcConfig.of(config, listener), SystemNanoClock.INSTANCE, SystemEpochClock.INSTANCE);
            agent.bind();
            if (config.metricsListen() != null)
            {
                // ":port" is the host of this node's own peers entry, so one shared file serves every node
                final ListenConfig at = config.metricsListen();
                final InetSocketAddress address =
                    at.host().isEmpty() ? new InetSocketAddress(self.host(), at.port()) : at.address();
                metrics = MetricsServer.start(address, () -> CountersSnapshot.read(countersFile),
                    SystemEpochClock.INSTANCE, log, self.name());
                log.notice("metrics-listening", "address=" + metrics.address());
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            if (metrics != null)
            {
                metrics.close();
            }
            if (agent != null)
            {
                agent.abort();
            }
            countersFile.close();
            throw ex;
        }
        final MsgcServer[] server = new MsgcServer[1];
        final ErrorHandler errorHandler = ex -> server[0].onAgentError(ex, errorLog);
        final AgentRunner runner = new AgentRunner(agent.idleStrategy(), errorHandler, null, agent);
        server[0] = new MsgcServer(agent, runner, self.name(), log, countersFile, metrics, configFile);
        agent.onClosed(server[0]::onAgentClosed);
        agent.onDrained(() -> server[0].drained.complete(null));
        if (configFile != null)
        {
            final MsgcServer started = server[0];
            agent.adminReload(answer -> started.reloader.execute(() -> answer.accept(started.reloadFile().text())));
        }
        AgentRunner.startOnThread(runner);
        return server[0];
    }

    /**
     * The agent thread's error handler: every error goes to the error log (stack trace, count, first and last
     * time) and to the event log; an {@link Error} (out of memory, stack overflow, an injected fault) is fatal
     * and stops the loop, which ends the daemon with a non-zero exit. An exception is recorded and the loop goes
     * on, as in Aeron.
     */
    private void onAgentError(final Throwable error, final DistinctErrorLog errorLog)
    {
        // an Error on the loop arrives wrapped in the AgentTerminationException that stops the loop
        final Throwable actual = error instanceof AgentTerminationException && error.getCause() != null ?
            error.getCause() : error;
        if (actual == fatal)
        {
            return; // our own stop after a fatal error, already recorded
        }
        errorLog.record(actual);
        lastError = actual;
        final boolean isFatal = actual instanceof Error || error instanceof AgentTerminationException;
        log.log(isFatal ? EventLog.Level.CRITICAL : EventLog.Level.ERROR, isFatal ? "fatal-error" : "agent-error",
            "exception=\"" + actual + "\" trace=\"" + oneLineTrace(actual) + "\"" +
            (isFatal ? " action=\"stopping the node\"" : ""));
        if (isFatal)
        {
            fatal = actual;
            agent.fail(actual);
        }
    }

    private void onAgentClosed()
    {
        if (!closing)
        {
            // e.g. an exception in onStart: the runner stops the loop after reporting it
            final Throwable cause = fatal != null ? fatal : lastError != null ? lastError :
                new IllegalStateException("the event loop of node " + node + " stopped unexpectedly");
            fatal = cause;
            terminated.complete(cause);
        }
        else
        {
            terminated.complete(null);
        }
    }

    /**
     * @param error any throwable.
     * @return its stack trace on one line, frames separated by {@code " | "}.
     */
    public static String oneLineTrace(final Throwable error)
    {
        final StringWriter text = new StringWriter();
        error.printStackTrace(new PrintWriter(text));
        return text.toString().trim().replace("\"", "'").replaceAll("\\r?\\n\\s*", " | ");
    }

    /**
     * @return completes when the event loop has stopped: with null after {@link #close()}, with the cause when it
     *         stopped by itself (a fatal error): the process should then exit non-zero.
     */
    public CompletableFuture<Throwable> terminated()
    {
        return terminated;
    }

    /**
     * @return completes once the admin {@code drain} command has moved the clients off and the node has left the
     *         mesh: the owner should then {@link #close} it ({@code msgcd} exits 0).
     */
    public CompletableFuture<Void> drained()
    {
        return drained;
    }

    /**
     * Re-read the config file given at start and apply it ({@link #reload(MsgcConfig)}). A file with errors
     * changes nothing; each error is logged with its file:line:col. Call from any thread but the agent's.
     *
     * @return what changed, or why nothing did.
     */
    public ReloadResult reloadFile()
    {
        if (configFile == null)
        {
            return ReloadResult.failed("(no config file)", List.of("node " + node +
                " was started without a config file; there is nothing to re-read"));
        }
        log.notice("reloading", "file=" + configFile);
        final MsgcConfig next;
        try
        {
            next = MsgcConfig.load(configFile);
        }
        catch (final ConfigException ex)
        {
            final List<String> errors = new ArrayList<>();
            for (final ConfigError error : ex.errors())
            {
                errors.add(error.toString());
                log.warn("reload-error", "error=\"" + error.toString().replace("\"", "'") + "\"");
            }
            log.warn("reload-failed", "file=" + configFile + " errors=" + errors.size() +
                " action=\"nothing changed; still running the previous configuration\"");
            return ReloadResult.failed(configFile.toString(), errors);
        }
        return reload(next, configFile.toString());
    }

    /**
     * Apply a new configuration on the event loop and wait for it: options that can change live are applied,
     * the others are reported (and logged) as needing a restart. Call from any thread but the agent's.
     *
     * @param next a parsed and validated configuration.
     * @return what changed, or why nothing did.
     */
    public ReloadResult reload(final MsgcConfig next)
    {
        return reload(next, "(in-process config)");
    }

    private ReloadResult reload(final MsgcConfig next, final String source)
    {
        final CompletableFuture<ReloadResult> result = new CompletableFuture<>();
        if (!agent.submit(() -> result.complete(agent.reload(next, source))))
        {
            return ReloadResult.failed(source, List.of("the event loop of " + node + " is not taking work"));
        }
        try
        {
            return result.get(RELOAD_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            return ReloadResult.failed(source, List.of("the event loop of " + node + " did not run the reload within " +
                RELOAD_WAIT_MS + " ms; it may still apply it"));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return ReloadResult.failed(source, List.of("interrupted"));
        }
        catch (final ExecutionException ex)
        {
            return ReloadResult.failed(source, List.of("reload failed: " + ex.getCause()));
        }
    }

    /**
     * Attach an in-process member to this node: a member like any socket client (member id
     * {@code #name#node}, joins, views, every service level, the same ordering and flow control), reached over
     * lock-free shared-memory rings instead of a socket. See {@link InProcessMember} for its threading rules.
     * Handler exceptions are printed to standard error.
     *
     * @param name private name, unique on this node (1-31 characters of {@code [A-Za-z0-9_.-]}).
     * @return the attached member.
     * @throws MsgcException when the name is taken, the node has {@code max_clients} clients, or it is not running.
     * @throws IllegalArgumentException for a bad private name.
     */
    public InProcessMember attach(final String name) throws MsgcException
    {
        return attach(name, null);
    }

    /**
     * As {@link #attach(String)}, with the handler that hears of exceptions thrown by the member's handlers.
     *
     * @param name         private name.
     * @param errorHandler receives what a handler threw (the message is skipped); null prints to standard error.
     * @return the attached member.
     * @throws MsgcException when the name is taken, the node has {@code max_clients} clients, or it is not running.
     * @throws IllegalArgumentException for a bad private name.
     */
    public InProcessMember attach(final String name, final ErrorHandler errorHandler) throws MsgcException
    {
        if (!NameRules.isPrivateName(name))
        {
            throw new IllegalArgumentException("bad private name '" + name +
                "': 1-31 characters of [A-Za-z0-9_.-] (ASCII letters, digits, '_', '.', '-')");
        }
        final CompletableFuture<MemberChannel> result = new CompletableFuture<>();
        if (closing || terminated.isDone() || !agent.submit(() ->
        {
            try
            {
                result.complete(agent.attach(name));
            }
            catch (final MsgcException | RuntimeException ex)
            {
                result.completeExceptionally(ex);
            }
        }))
        {
            throw new MsgcException(ErrorCode.SHUTDOWN, "node " + node + " is not running; cannot attach " + name);
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RELOAD_WAIT_MS);
        while (true)
        {
            try
            {
                return new InProcessMember(result.get(10, TimeUnit.MILLISECONDS), errorHandler);
            }
            catch (final TimeoutException ex)
            {
                if (terminated.isDone() || System.nanoTime() > deadline)
                {
                    throw new MsgcException(ErrorCode.SHUTDOWN, "node " + node + " did not attach " + name +
                        " (its event loop " + (terminated.isDone() ? "stopped" : "is not taking work") + ")");
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new MsgcException(ErrorCode.SHUTDOWN, "interrupted while attaching " + name);
            }
            catch (final ExecutionException ex)
            {
                if (ex.getCause() instanceof MsgcException)
                {
                    throw (MsgcException)ex.getCause();
                }
                throw new IllegalStateException("attaching " + name + " failed", ex.getCause());
            }
        }
    }

    /**
     * @return this node's name.
     */
    public String node()
    {
        return node;
    }

    /**
     * @return the addresses the listener is bound to.
     */
    public List<InetSocketAddress> boundAddresses()
    {
        return agent.boundAddresses();
    }

    /**
     * @return the counters file of this node.
     */
    public Path countersFile()
    {
        return countersFile.path();
    }

    /**
     * @return the HTTP address of /metrics and /healthz, or null when {@code metrics_listen} is off.
     */
    public InetSocketAddress metricsAddress()
    {
        return metrics == null ? null : metrics.address();
    }

    /**
     * @return the fault-injection hook on this node's peer links (tests only).
     */
    public LinkFaults faults()
    {
        return agent.faults();
    }

    /**
     * @return bit n set when node n of the peers list is reachable (this node included); safe from any thread.
     */
    public long reachableNodes()
    {
        return agent.nodeView().reachableMask();
    }

    /**
     * @return the node view id, increased at every change of {@link #reachableNodes()}; safe from any thread.
     */
    public long nodeViewId()
    {
        return agent.nodeView().viewId();
    }

    /**
     * Stop the agent thread, close every socket, stop the metrics listener, then remove the counters file;
     * after a fatal error the file is kept (its error log says what happened).
     */
    public void close()
    {
        closing = true;
        runner.close();
        if (metrics != null)
        {
            metrics.close();
        }
        if (reloader != null)
        {
            reloader.shutdownNow();
        }
        if (fatal == null)
        {
            countersFile.markStopped(SystemEpochClock.INSTANCE.time());
            countersFile.close();
        }
        log.flush(1000);
    }
}
