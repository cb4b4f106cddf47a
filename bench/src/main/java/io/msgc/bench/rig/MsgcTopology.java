package io.msgc.bench.rig;

import io.msgc.client.MsgcException;
import io.msgc.conf.Secret;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * msgc servers ({@link Servers}: in this JVM, {@code msgcd} processes, or a deployed cluster) with endpoints on
 * the real client library. The publisher joins group A on node1 (for AGREED: on the last node, see
 * {@link Scenario#publisherNode()}); the subscribers join group B on the last node (for AGREED: node1). Names and groups carry a random tag, so runs against a deployed cluster do not collide.
 */
final class MsgcTopology implements Topology
{
    static final String GROUP_A = "bench.a";
    static final String GROUP_B = "bench.b";
    /** The secret of {@code -Dmsgc.bench.secret}, or null. */
    static final Secret SECRET = System.getProperty("msgc.bench.secret") == null ? null :
        Secret.of(System.getProperty("msgc.bench.secret"));

    private final Servers servers;
    private final Endpoint publisher;
    private final Endpoint[] subscribers;

    private MsgcTopology(final Servers servers, final Endpoint publisher, final Endpoint[] subscribers)
    {
        this.servers = servers;
        this.publisher = publisher;
        this.subscribers = subscribers;
    }

    /**
     * Connect the endpoints; the topology owns {@code servers} from now on.
     *
     * @param scenario what runs (nodes, subscribers, service level).
     * @param servers  the running servers.
     * @param threaded clients read on their own threads.
     * @return the running topology.
     * @throws MsgcException when a client is refused.
     */
    static MsgcTopology start(final Scenario scenario, final Servers servers, final boolean threaded)
        throws MsgcException
    {
        final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        Endpoint publisher = null;
        final Endpoint[] subs = new Endpoint[scenario.subscribers()];
        try
        {
            final InetSocketAddress first = servers.address(scenario.publisherNode());
            final InetSocketAddress last = servers.address(scenario.subscriberNode());
            publisher = new MsgcEndpoint(first.getHostString(), first.getPort(), "pub-" + tag, GROUP_A + tag,
                GROUP_B + tag, scenario.service(), threaded);
            for (int i = 0; i < subs.length; i++)
            {
                subs[i] = new MsgcEndpoint(last.getHostString(), last.getPort(), "sub" + i + "-" + tag,
                    GROUP_B + tag, GROUP_A + tag, scenario.service(), threaded);
            }
            return new MsgcTopology(servers, publisher, subs);
        }
        catch (final MsgcException | RuntimeException ex)
        {
            close(publisher, subs);
            servers.close();
            throw ex;
        }
    }

    /**
     * @param hosts loopback hosts that must all have the port free.
     * @return a port free on every host (a race with other programs is possible but harmless: start fails).
     * @throws IOException when none is found.
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

    static void close(final Endpoint publisher, final Endpoint[] subscribers)
    {
        if (publisher != null)
        {
            publisher.close();
        }
        for (final Endpoint subscriber : subscribers)
        {
            if (subscriber != null)
            {
                subscriber.close();
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
        return Sut.MSGC;
    }

    @Override
    public void close()
    {
        close(publisher, subscribers);
        servers.close();
    }
}
