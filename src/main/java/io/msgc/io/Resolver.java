package io.msgc.io;

import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Looks host names up on a thread of its own, so that an event loop never blocks on DNS. The loop hands a
 * {@link Request} over with {@link #resolve} and takes answered ones back with {@link #poll}, which reads a
 * lock-free queue (nothing to do costs one volatile read). Host names that are address literals never need the
 * thread: {@link #isLiteral} tells them apart, and the loop parses them itself.
 * <p>
 * The JVM caches answers, negative ones for 10 s by default ({@code networkaddress.cache.negative.ttl}), so a
 * name that starts to resolve is seen at the latest that long after its record appears.
 */
public final class Resolver implements AutoCloseable
{
    /**
     * How a name is looked up (the system resolver unless a test injects another).
     */
    @FunctionalInterface
    public interface Lookup
    {
        /**
         * @param host a host name.
         * @return its address.
         * @throws UnknownHostException when it does not resolve.
         */
        InetAddress lookup(String host) throws UnknownHostException;
    }

    /**
     * One lookup: filled in by the resolver thread, read by the loop once {@link #poll} returns it.
     */
    public static final class Request
    {
        private final String host;
        private final Object token;
        private InetAddress address;
        private String error;

        /**
         * @param host  the name to look up.
         * @param token the caller's, returned as is.
         */
        public Request(final String host, final Object token)
        {
            this.host = host;
            this.token = token;
        }

        /**
         * @return the name looked up.
         */
        public String host()
        {
            return host;
        }

        /**
         * @return the caller's token.
         */
        public Object token()
        {
            return token;
        }

        /**
         * @return the address, or null when the lookup failed.
         */
        public InetAddress address()
        {
            return address;
        }

        /**
         * @return why the lookup failed, or null.
         */
        public String error()
        {
            return error;
        }
    }

    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final OneToOneConcurrentArrayQueue<Request> answers = new OneToOneConcurrentArrayQueue<>(1024);
    private final Lookup lookup;
    private final Runnable wakeup;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * Start the resolver thread (a daemon).
     *
     * @param name   thread name.
     * @param lookup how names are looked up.
     * @param wakeup run after each answer, e.g. to wake a selector blocked in the loop.
     */
    public Resolver(final String name, final Lookup lookup, final Runnable wakeup)
    {
        this.lookup = lookup;
        this.wakeup = wakeup;
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @param host a host as written in a config.
     * @return true when it is an IPv4 dotted quad or an IPv6 literal: parsing it never touches DNS.
     */
    public static boolean isLiteral(final String host)
    {
        if (host.indexOf(':') >= 0)
        {
            return true;
        }
        int parts = 0;
        int digits = 0;
        int value = 0;
        for (int i = 0; i < host.length(); i++)
        {
            final char c = host.charAt(i);
            if (c >= '0' && c <= '9')
            {
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255)
                {
                    return false;
                }
            }
            else if (c == '.' && digits > 0)
            {
                parts++;
                digits = 0;
                value = 0;
            }
            else
            {
                return false;
            }
        }
        return parts == 3 && digits > 0;
    }

    /**
     * Queue a lookup. Off the data path: called when a dial needs an address.
     *
     * @param request the lookup.
     */
    public void resolve(final Request request)
    {
        requests.add(request);
    }

    /**
     * Take every answered lookup.
     *
     * @param consumer receives each.
     * @return lookups taken.
     */
    public int poll(final Consumer<Request> consumer)
    {
        return answers.isEmpty() ? 0 : answers.drain(consumer);
    }

    private void run()
    {
        while (!closed)
        {
            final Request request;
            try
            {
                request = requests.take();
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            try
            {
                request.address = lookup.lookup(request.host);
            }
            catch (final UnknownHostException ex)
            {
                request.error = "unknown host";
            }
            catch (final RuntimeException ex)
            {
                request.error = String.valueOf(ex);
            }
            if (request.address == null && request.error == null)
            {
                request.error = "no address";
            }
            while (!answers.offer(request))
            {
                if (closed)
                {
                    return;
                }
                Thread.onSpinWait();
            }
            wakeup.run();
        }
    }

    /**
     * Stop the thread; lookups in progress are abandoned.
     */
    public void close()
    {
        closed = true;
        thread.interrupt();
    }
}
