package io.msgc.bench.rig;

import io.msgc.conf.IdleStrategyKind;
import io.msgc.io.SelectIdleStrategy;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The baseline in the same topology: one {@link Relay} thread for one node; for two nodes, two relays chained
 * over a TCP link (publisher - relay1 - relay2 - subscribers), as msgc's two servers are. Each relay runs with
 * the same idle strategy as the msgc servers ({@link SelectIdleStrategy}).
 */
final class RelayTopology implements Topology
{
    private final AgentRunner[] runners;
    private final Endpoint publisher;
    private final Endpoint[] subscribers;

    private RelayTopology(final AgentRunner[] runners, final Endpoint publisher, final Endpoint[] subscribers)
    {
        this.runners = runners;
        this.publisher = publisher;
        this.subscribers = subscribers;
    }

    /**
     * Connect every socket, then start the relay threads.
     *
     * @param nodes       1 or 2 relays.
     * @param subscribers subscriber count.
     * @param idle        the relays' idle strategy.
     * @return the running topology.
     * @throws IOException when a socket cannot be set up.
     */
    static RelayTopology start(final int nodes, final int subscribers, final IdleStrategyKind idle) throws IOException
    {
        final ServerSocketChannel first = listen("127.0.0.1");
        final ServerSocketChannel last = nodes == 1 ? first : listen("127.0.0.2");
        try
        {
            final SocketChannel publisherSide = connect(first);
            final Endpoint publisher = new RawEndpoint(publisherSide, MsgcTopology.GROUP_B);
            final SocketChannel hub = first.accept();
            final AgentRunner[] runners = new AgentRunner[nodes];
            final SocketChannel[] subscriberSides = new SocketChannel[subscribers];
            final Endpoint[] subs = new Endpoint[subscribers];
            SocketChannel lastHub = hub;
            if (nodes == 2)
            {
                final SocketChannel link = connect(last);
                lastHub = last.accept();
                runners[0] = runner("relay1", idle, hub, link);
            }
            for (int i = 0; i < subscribers; i++)
            {
                subs[i] = new RawEndpoint(connect(last), MsgcTopology.GROUP_A);
                subscriberSides[i] = last.accept();
            }
            runners[nodes - 1] = runner("relay" + nodes, idle, lastHub, subscriberSides);
            for (final AgentRunner runner : runners)
            {
                AgentRunner.startOnThread(runner);
            }
            return new RelayTopology(runners, publisher, subs);
        }
        finally
        {
            first.close();
            last.close();
        }
    }

    private static ServerSocketChannel listen(final String host) throws IOException
    {
        final ServerSocketChannel channel = ServerSocketChannel.open();
        channel.bind(new InetSocketAddress(host, 0));
        return channel;
    }

    private static SocketChannel connect(final ServerSocketChannel server) throws IOException
    {
        final SocketChannel channel = SocketChannel.open(server.getLocalAddress());
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return channel;
    }

    private static AgentRunner runner(
        final String name, final IdleStrategyKind kind, final SocketChannel hub, final SocketChannel... spokes)
        throws IOException
    {
        final SelectIdleStrategy idle = SelectIdleStrategy.forKind(kind);
        return new AgentRunner(idle, RelayTopology::onError, null, new Relay(name, idle, hub, spokes));
    }

    private static void onError(final Throwable error)
    {
        // a relay ends when the rig closes its endpoints; anything else is reported
        if (!(error instanceof AgentTerminationException))
        {
            System.err.println("msgc-bench: relay failed: " + error);
        }
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
        return "relay";
    }

    @Override
    public void close()
    {
        for (final AgentRunner runner : runners)
        {
            runner.close();
        }
        publisher.close();
        for (final Endpoint subscriber : subscribers)
        {
            subscriber.close();
        }
    }
}
