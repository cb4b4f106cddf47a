package io.msgc.bench.rig;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The blocking baseline: a relay on blocking sockets with one thread per connection, the way a plain Java
 * server is written. The hub's thread copies what it reads to every spoke, each spoke's thread copies what it
 * reads to the hub, without parsing. A full destination blocks the copying thread (back-pressure, nothing lost).
 * No selector and no spinning: every thread sleeps in {@code read} until bytes arrive.
 */
final class BlockingRelay implements AutoCloseable
{
    private static final int CHUNK_BYTES = 256 * 1024;

    private final SocketChannel[] channels;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param name   role name for the threads.
     * @param hub    the side whose bytes fan out.
     * @param spokes the sides whose bytes go back to the hub.
     * @throws IOException when a socket cannot be set up.
     */
    BlockingRelay(final String name, final SocketChannel hub, final SocketChannel... spokes) throws IOException
    {
        channels = new SocketChannel[1 + spokes.length];
        channels[0] = hub;
        System.arraycopy(spokes, 0, channels, 1, spokes.length);
        final OutputStream[] outs = new OutputStream[channels.length];
        for (int i = 0; i < channels.length; i++)
        {
            channels[i].configureBlocking(true);
            channels[i].setOption(StandardSocketOptions.TCP_NODELAY, true);
            outs[i] = channels[i].socket().getOutputStream();
        }
        final OutputStream[] spokeOuts = new OutputStream[spokes.length];
        System.arraycopy(outs, 1, spokeOuts, 0, spokes.length);
        threads.add(copier(name + "-hub", channels[0].socket(), spokeOuts));
        for (int i = 1; i < channels.length; i++)
        {
            threads.add(copier(name + "-spoke" + i, channels[i].socket(), new OutputStream[]{outs[0]}));
        }
    }

    private Thread copier(final String name, final Socket from, final OutputStream[] to) throws IOException
    {
        final InputStream in = from.getInputStream();
        final Thread thread = new Thread(() ->
        {
            final byte[] chunk = new byte[CHUNK_BYTES];
            try
            {
                int read;
                while ((read = in.read(chunk)) > 0)
                {
                    for (final OutputStream out : to)
                    {
                        // spokes write to the one hub: one chunk at a time (only round trips echo, from one spoke)
                        synchronized (out)
                        {
                            out.write(chunk, 0, read);
                        }
                    }
                }
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    System.err.println("msgc-bench: blocking relay " + name + ": " + ex);
                }
            }
        }, name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Start the threads.
     *
     * @return this.
     */
    BlockingRelay start()
    {
        for (final Thread thread : threads)
        {
            thread.start();
        }
        return this;
    }

    /**
     * Wait until every thread has ended (a side closed its connection).
     *
     * @throws InterruptedException when interrupted.
     */
    void join() throws InterruptedException
    {
        for (final Thread thread : threads)
        {
            thread.join();
        }
    }

    @Override
    public void close()
    {
        closed = true;
        for (final SocketChannel channel : channels)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // closing
            }
        }
        for (final Thread thread : threads)
        {
            try
            {
                thread.join(1000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
