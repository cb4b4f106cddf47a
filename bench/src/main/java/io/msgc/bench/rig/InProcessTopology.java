package io.msgc.bench.rig;

import io.msgc.client.MsgcException;
import io.msgc.conf.IdleStrategyKind;

import java.io.IOException;

/**
 * One msgc server embedded in this JVM, and endpoints attached to it as in-process members: no socket between
 * them and the server. The publisher joins group A, the subscribers group B.
 */
final class InProcessTopology implements Topology
{
    private final Servers server;
    private final Endpoint publisher;
    private final Endpoint[] subscribers;

    private InProcessTopology(final Servers server, final Endpoint publisher, final Endpoint[] subscribers)
    {
        this.server = server;
        this.publisher = publisher;
        this.subscribers = subscribers;
    }

    /**
     * @param scenario what runs (one node).
     * @param idle     the server's idle strategy.
     * @param threaded members read on their own (parking) threads.
     * @return the running topology.
     * @throws IOException   when the server cannot bind.
     * @throws MsgcException when an attach is refused.
     */
    static InProcessTopology start(final Scenario scenario, final IdleStrategyKind idle, final boolean threaded)
        throws IOException, MsgcException
    {
        final Servers server = Servers.inJvm(1, idle);
        Endpoint publisher = null;
        final Endpoint[] subs = new Endpoint[scenario.subscribers()];
        try
        {
            publisher = new InProcessEndpoint(server.embedded(), "pub", MsgcTopology.GROUP_A, MsgcTopology.GROUP_B,
                scenario.service(), threaded);
            for (int i = 0; i < subs.length; i++)
            {
                subs[i] = new InProcessEndpoint(server.embedded(), "sub" + i, MsgcTopology.GROUP_B,
                    MsgcTopology.GROUP_A, scenario.service(), threaded);
            }
            return new InProcessTopology(server, publisher, subs);
        }
        catch (final MsgcException | RuntimeException ex)
        {
            MsgcTopology.close(publisher, subs);
            server.close();
            throw ex;
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
        return Sut.IN_PROCESS;
    }

    @Override
    public void close()
    {
        MsgcTopology.close(publisher, subscribers);
        server.close();
    }
}
