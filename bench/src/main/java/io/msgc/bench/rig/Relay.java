package io.msgc.bench.rig;

import io.msgc.io.SelectIdleStrategy;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The baseline: a dumb relay on one thread. Bytes read from the hub go to every spoke, bytes read from a spoke
 * go to the hub, copied without parsing. It stops reading a source while a destination's output buffer lacks
 * room, so nothing is dropped. Run by an {@code AgentRunner} with the profile's {@link SelectIdleStrategy}, the
 * one msgc's servers use: when it says so the relay blocks in a selector until a socket is readable, as the
 * servers do.
 */
final class Relay implements Agent
{
    private static final int CHUNK_BYTES = 256 * 1024;
    private static final int OUT_BYTES = 8 * 1024 * 1024;

    /**
     * One socket and the bytes waiting to be written to it.
     */
    private static final class Link
    {
        final SocketChannel channel;
        final ByteBuffer out = ByteBuffer.allocateDirect(OUT_BYTES);
        Link[] destinations;

        Link(final SocketChannel channel) throws IOException
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            this.channel = channel;
        }
    }

    private final String name;
    private final Link[] links;
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
    private final SelectIdleStrategy idle;
    private final Selector selector;
    private final Consumer<SelectionKey> ignoreKey = key -> { };

    /**
     * @param name   role name for the thread.
     * @param idle   the idle strategy its runner uses.
     * @param hub    the side whose bytes fan out.
     * @param spokes the sides whose bytes go back to the hub.
     * @throws IOException when a channel cannot be made non-blocking.
     */
    Relay(final String name, final SelectIdleStrategy idle, final SocketChannel hub, final SocketChannel... spokes)
        throws IOException
    {
        this.name = name;
        this.idle = idle;
        selector = Selector.open();
        links = new Link[1 + spokes.length];
        links[0] = new Link(hub);
        for (int i = 0; i < spokes.length; i++)
        {
            links[1 + i] = new Link(spokes[i]);
            links[1 + i].destinations = new Link[]{links[0]};
        }
        links[0].destinations = Arrays.copyOfRange(links, 1, links.length);
        for (final Link link : links)
        {
            link.channel.register(selector, SelectionKey.OP_READ);
        }
    }

    @Override
    public int doWork() throws IOException
    {
        final long timeoutMs = idle.selectTimeoutMs(Long.MAX_VALUE);
        if (timeoutMs > 0 && nothingPending())
        {
            selector.select(ignoreKey, timeoutMs);
        }
        int work = 0;
        for (final Link link : links)
        {
            work += copyFrom(link);
        }
        for (final Link link : links)
        {
            final ByteBuffer out = link.out;
            if (out.position() > 0)
            {
                out.flip();
                work += link.channel.write(out);
                out.compact();
            }
        }
        return work;
    }

    private boolean nothingPending()
    {
        for (final Link link : links)
        {
            if (link.out.position() > 0)
            {
                return false;
            }
        }
        return true;
    }

    private int copyFrom(final Link source) throws IOException
    {
        int room = CHUNK_BYTES;
        for (final Link destination : source.destinations)
        {
            room = Math.min(room, destination.out.remaining());
        }
        if (room == 0)
        {
            return 0;
        }
        chunk.clear().limit(room);
        final int read = source.channel.read(chunk);
        if (read < 0)
        {
            // the rig closed its endpoints: the run is over
            throw new AgentTerminationException("relay " + name + ": a side closed its connection");
        }
        chunk.flip();
        for (final Link destination : source.destinations)
        {
            destination.out.put(chunk.duplicate());
        }
        return Math.max(read, 0);
    }

    @Override
    public void onClose()
    {
        try
        {
            selector.close();
        }
        catch (final IOException ignore)
        {
            // shutting down
        }
        for (final Link link : links)
        {
            try
            {
                link.channel.close();
            }
            catch (final IOException ignore)
            {
                // shutting down
            }
        }
    }

    @Override
    public String roleName()
    {
        return name;
    }
}
