package io.msgc.conf;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * For {@code msgcd --check}: which {@code peers} hosts do not resolve now. A file with such a host is still
 * valid (a rolling deploy may add a node before its DNS record), so these are warnings. Resolving blocks; this
 * is for the check command, never for the event loop.
 */
public final class PeerHostCheck
{
    /** Resolves a host name; {@link InetAddress#getAllByName} outside tests. */
    @FunctionalInterface
    public interface Resolver
    {
        /**
         * @param host host name or address.
         * @return its addresses.
         * @throws UnknownHostException when it does not resolve.
         */
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** At most this many lookups at once: a check of a large cluster with a slow resolver stays short. */
    private static final int MAX_PARALLEL = 16;

    private PeerHostCheck()
    {
    }

    /**
     * @param server the {@code msgc_server} scope.
     * @return one warning per host that does not resolve, in peers order, e.g.
     *         {@code peers entry node4 host 'db4.example' does not resolve (Name or service not known); the node
     *         will keep retrying}.
     */
    public static List<String> unresolvedHosts(final ServerConfig server)
    {
        return unresolvedHosts(server, InetAddress::getAllByName);
    }

    /**
     * @param server   the {@code msgc_server} scope.
     * @param resolver how to resolve a host.
     * @return one warning per host that does not resolve, in peers order (entries that share a host share it).
     */
    public static List<String> unresolvedHosts(final ServerConfig server, final Resolver resolver)
    {
        final Map<String, List<String>> entriesByHost = new LinkedHashMap<>();
        for (final PeerConfig peer : server.peers())
        {
            entriesByHost.computeIfAbsent(peer.host(), host -> new ArrayList<>()).add(peer.name());
        }
        if (entriesByHost.isEmpty())
        {
            return List.of();
        }
        final ExecutorService pool = Executors.newFixedThreadPool(Math.min(MAX_PARALLEL, entriesByHost.size()), r ->
        {
            final Thread thread = new Thread(r, "msgcd-check-dns");
            thread.setDaemon(true);
            return thread;
        });
        try
        {
            final Map<String, Future<String>> failures = new LinkedHashMap<>();
            for (final String host : entriesByHost.keySet())
            {
                failures.put(host, pool.submit(() -> failure(resolver, host)));
            }
            final List<String> warnings = new ArrayList<>();
            for (final Map.Entry<String, Future<String>> entry : failures.entrySet())
            {
                final String why = entry.getValue().get();
                if (why != null)
                {
                    final List<String> names = entriesByHost.get(entry.getKey());
                    warnings.add((names.size() == 1 ? "peers entry " : "peers entries ") + String.join(", ", names) +
                        " host '" + entry.getKey() + "' does not resolve (" + why + "); the node will keep retrying");
                }
            }
            return warnings;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return List.of("peers hosts not checked: interrupted");
        }
        catch (final ExecutionException ex)
        {
            return List.of("peers hosts not checked: " + ex.getCause());
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    /** @return why the host does not resolve, or null when it does. */
    private static String failure(final Resolver resolver, final String host)
    {
        try
        {
            final InetAddress[] addresses = resolver.resolve(host);
            return addresses == null || addresses.length == 0 ? "no address" : null;
        }
        catch (final UnknownHostException ex)
        {
            // the JDK says "host: reason"; the host is in the warning already
            final String message = ex.getMessage() == null ? "" : ex.getMessage();
            final String reason = message.startsWith(host + ": ") ? message.substring(host.length() + 2) : message;
            return reason.isEmpty() || reason.equals(host) ? "unknown host" : reason;
        }
        catch (final RuntimeException ex)
        {
            return ex.toString();
        }
    }
}
