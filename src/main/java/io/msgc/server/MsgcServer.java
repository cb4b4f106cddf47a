package io.msgc.server;

import io.msgc.admin.EventLog;
import io.msgc.conf.ListenerConfig;
import io.msgc.conf.PeerConfig;
import io.msgc.conf.ServerConfig;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * One running {@code msgc_server} node: binds its listener on the caller's thread (so that errors surface at
 * once), then runs the {@link ServerAgent} on its own thread with the configured idle strategy.
 * Embeddable: tests run whole clusters of these in one JVM.
 */
public final class MsgcServer implements AutoCloseable
{
    private final ServerAgent agent;
    private final AgentRunner runner;
    private final String node;

    private MsgcServer(final ServerAgent agent, final AgentRunner runner, final String node)
    {
        this.agent = agent;
        this.runner = runner;
        this.node = node;
    }

    /**
     * Start a node.
     *
     * @param config   the {@code msgc_server} scope.
     * @param listener the {@code msgcserver_listener} scope.
     * @param node     this node's name in the peers list.
     * @param log      where events go.
     * @return the running server.
     * @throws IOException              when a listen address cannot be bound.
     * @throws IllegalArgumentException when the node is not in the peers list.
     */
    public static MsgcServer start(
        final ServerConfig config, final ListenerConfig listener, final String node, final EventLog log)
        throws IOException
    {
        final PeerConfig self = config.peer(node);
        if (self == null)
        {
            throw new IllegalArgumentException("node '" + node + "' is not in the peers list " +
                config.peersDescription() + "; pass one of those names with -n");
        }
        if (config.peers().size() > 64)
        {
            throw new IllegalArgumentException("at most 64 peers are supported, the peers list has " +
                config.peers().size());
        }
        final ServerAgent agent = new ServerAgent(config, listener, self, log);
        agent.bind();
        final ErrorHandler errorHandler = ex -> log.log(EventLog.Level.ERROR, "agent-error",
            "exception=\"" + ex + "\"");
        final AgentRunner runner = new AgentRunner(agent.idleStrategy(), errorHandler, null, agent);
        AgentRunner.startOnThread(runner);
        return new MsgcServer(agent, runner, self.name());
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
     * Stop the agent thread, close every socket.
     */
    public void close()
    {
        runner.close();
    }
}
