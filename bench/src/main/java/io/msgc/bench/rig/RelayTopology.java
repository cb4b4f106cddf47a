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
import java.util.ArrayList;
import java.util.List;

/**
 * A baseline in the same topology as msgc's servers: one relay for one node; for two nodes, two relays chained
 * over a TCP link (publisher - relay1 - relay2 - subscribers). {@link Sut#RELAY} is the selector relay
 * ({@link Relay}, with the servers' idle strategy); {@link Sut#BLOCKING} the blocking one ({@link BlockingRelay},
 * a thread per connection). The relays run in this JVM, or each in a process of its own ({@link RelayMain}) in
 * the multi-process mode. The clients are polled by the driver ({@link RawEndpoint}) or, in the threaded
 * profile, blocking sockets with a reading thread each ({@link BlockingEndpoint}).
 */
final class RelayTopology implements Topology
{
    private final Sut system;
    private final List<AutoCloseable> relays;
    private final Endpoint publisher;
    private final Endpoint[] subscribers;

    private RelayTopology(
        final Sut system, final List<AutoCloseable> relays, final Endpoint publisher, final Endpoint[] subscribers)
    {
        this.system = system;
        this.relays = relays;
        this.publisher = publisher;
        this.subscribers = subscribers;
    }

    /**
     * Connect every socket, then start the relays.
     *
     * @param system      {@link Sut#RELAY} or {@link Sut#BLOCKING}.
     * @param nodes       1 or 2 relays.
     * @param subscribers subscriber count.
     * @param idle        the selector relay's idle strategy.
     * @param threaded    blocking clients with a reading thread each, instead of clients the driver polls.
     * @param processes   each relay in a process of its own.
     * @return the running topology.
     * @throws IOException when a socket cannot be set up.
     */
    static RelayTopology start(
        final Sut system,
        final int nodes,
        final int subscribers,
        final IdleStrategyKind idle,
        final boolean threaded,
        final boolean processes) throws IOException
    {
        return processes ? startProcesses(system, nodes, subscribers, idle, threaded) :
            startHere(system, nodes, subscribers, idle, threaded);
    }

    private static RelayTopology startHere(
        final Sut system, final int nodes, final int subscribers, final IdleStrategyKind idle, final boolean threaded)
        throws IOException
    {
        final ServerSocketChannel first = listen("127.0.0.1");
        final ServerSocketChannel last = nodes == 1 ? first : listen("127.0.0.2");
        try
        {
            final Endpoint publisher = endpoint(connect(first), MsgcTopology.GROUP_B, threaded);
            final SocketChannel hub = first.accept();
            final List<AutoCloseable> relays = new ArrayList<>();
            final SocketChannel[] subscriberSides = new SocketChannel[subscribers];
            final Endpoint[] subs = new Endpoint[subscribers];
            SocketChannel lastHub = hub;
            SocketChannel link = null;
            if (nodes == 2)
            {
                link = connect(last);
                lastHub = last.accept();
            }
            for (int i = 0; i < subscribers; i++)
            {
                subs[i] = endpoint(connect(last), MsgcTopology.GROUP_A, threaded);
                subscriberSides[i] = last.accept();
            }
            if (nodes == 2)
            {
                relays.add(relay(system, "relay1", idle, hub, link));
            }
            relays.add(relay(system, "relay" + nodes, idle, lastHub, subscriberSides));
            return new RelayTopology(system, relays, publisher, subs);
        }
        finally
        {
            first.close();
            last.close();
        }
    }

    private static RelayTopology startProcesses(
        final Sut system, final int nodes, final int subscribers, final IdleStrategyKind idle, final boolean threaded)
        throws IOException
    {
        final String kind = system == Sut.BLOCKING ? "blocking" : "relay";
        final List<AutoCloseable> relays = new ArrayList<>();
        Endpoint publisher = null;
        final Endpoint[] subs = new Endpoint[subscribers];
        try
        {
            // the last relay first: the first one dials it, and it takes that link as its hub
            final String lastHost = nodes == 1 ? "127.0.0.1" : "127.0.0.2";
            final ChildProcess lastRelay = ChildProcess.start("relay" + nodes, RelayMain.class.getName(), kind,
                idle.name(), lastHost, Integer.toString(subscribers));
            relays.add(lastRelay);
            final int lastPort = readyPort(lastRelay);
            int firstPort = lastPort;
            if (nodes == 2)
            {
                final ChildProcess firstRelay = ChildProcess.start("relay1", RelayMain.class.getName(), kind,
                    idle.name(), "127.0.0.1", "1", lastHost + ":" + lastPort);
                relays.add(firstRelay);
                firstPort = readyPort(firstRelay);
            }
            publisher = endpoint(connect(new InetSocketAddress("127.0.0.1", firstPort)), MsgcTopology.GROUP_B,
                threaded);
            for (int i = 0; i < subscribers; i++)
            {
                subs[i] = endpoint(connect(new InetSocketAddress(lastHost, lastPort)), MsgcTopology.GROUP_A, threaded);
            }
            return new RelayTopology(system, relays, publisher, subs);
        }
        catch (final IOException | RuntimeException ex)
        {
            MsgcTopology.close(publisher, subs);
            closeAll(relays);
            throw ex;
        }
    }

    private static int readyPort(final ChildProcess relay)
    {
        final String line = relay.awaitLine(l -> l.startsWith("relay-ready "), 20_000, "relay-ready");
        return Integer.parseInt(line.substring("relay-ready ".length()).trim());
    }

    private static Endpoint endpoint(final SocketChannel channel, final String destination, final boolean threaded)
        throws IOException
    {
        return threaded ? new BlockingEndpoint(channel, destination) : new RawEndpoint(channel, destination);
    }

    private static ServerSocketChannel listen(final String host) throws IOException
    {
        final ServerSocketChannel channel = ServerSocketChannel.open();
        channel.bind(new InetSocketAddress(host, 0));
        return channel;
    }

    private static SocketChannel connect(final ServerSocketChannel server) throws IOException
    {
        return connect((InetSocketAddress)server.getLocalAddress());
    }

    private static SocketChannel connect(final InetSocketAddress address) throws IOException
    {
        final SocketChannel channel = SocketChannel.open(address);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return channel;
    }

    private static AutoCloseable relay(
        final Sut system,
        final String name,
        final IdleStrategyKind kind,
        final SocketChannel hub,
        final SocketChannel... spokes) throws IOException
    {
        if (system == Sut.BLOCKING)
        {
            return new BlockingRelay(name, hub, spokes).start();
        }
        final SelectIdleStrategy idle = SelectIdleStrategy.forKind(kind);
        final AgentRunner runner =
            new AgentRunner(idle, RelayTopology::onError, null, new Relay(name, idle, hub, spokes));
        AgentRunner.startOnThread(runner);
        return runner;
    }

    private static void onError(final Throwable error)
    {
        // a relay ends when the rig closes its endpoints; anything else is reported
        if (!(error instanceof AgentTerminationException))
        {
            System.err.println("msgc-bench: relay failed: " + error);
        }
    }

    private static void closeAll(final List<AutoCloseable> relays)
    {
        for (final AutoCloseable relay : relays)
        {
            try
            {
                relay.close();
            }
            catch (final Exception ex)
            {
                System.err.println("msgc-bench: closing a relay: " + ex);
            }
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
    public Sut system()
    {
        return system;
    }

    @Override
    public void close()
    {
        // the relays stop first (an in-JVM one would otherwise report the closed sockets), then the clients
        closeAll(relays);
        MsgcTopology.close(publisher, subscribers);
    }
}
