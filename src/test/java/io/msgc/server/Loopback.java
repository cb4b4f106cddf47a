package io.msgc.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fresh loopback addresses for tests: each call to {@link #block()} returns a /24 prefix like {@code 127.37.201.}
 * not used before in this JVM, so clusters of different tests never collide, and a port free on it.
 */
public final class Loopback
{
    private static final AtomicInteger NEXT = new AtomicInteger(ThreadLocalRandom.current().nextInt(10, 200) * 256);

    private Loopback()
    {
    }

    /**
     * @return a prefix such as {@code "127.37.201."}; append 1..254.
     */
    public static String block()
    {
        final int n = NEXT.getAndIncrement();
        return "127." + ((n >> 8) & 0xFF) + "." + (n & 0xFF) + ".";
    }

    /**
     * @param host an address.
     * @return a port that was free on it a moment ago.
     */
    public static int freePort(final String host)
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("no free port on " + host, ex);
        }
    }
}
