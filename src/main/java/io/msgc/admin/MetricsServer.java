package io.msgc.admin;

import org.agrona.concurrent.EpochClock;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The optional HTTP listener ({@code metrics_listen}): {@code GET /metrics} in the Prometheus text format and
 * {@code GET /healthz} (200 when the mesh is complete and the loop turns, else 503, with a JSON body). It runs on
 * its own daemon thread with a plain blocking {@link ServerSocket}, one request per connection, and reads only the
 * counters file, so it answers even while the event loop is stuck. Requests are bounded: 8 KiB of headers, 2 s.
 */
public final class MetricsServer implements AutoCloseable
{
    /** Longest request head read. */
    static final int MAX_REQUEST = 8192;
    /** Time allowed to send the request. */
    static final int REQUEST_TIMEOUT_MS = 2000;

    private final ServerSocket socket;
    private final Supplier<CountersSnapshot> snapshot;
    private final EpochClock clock;
    private final EventLog log;
    private final Thread thread;
    private volatile boolean running = true;

    private MetricsServer(
        final ServerSocket socket, final Supplier<CountersSnapshot> snapshot, final EpochClock clock,
        final EventLog log, final String node)
    {
        this.socket = socket;
        this.snapshot = snapshot;
        this.clock = clock;
        this.log = log;
        thread = new Thread(this::run, "msgc-metrics-" + node);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Bind and start serving.
     *
     * @param address  where to listen.
     * @param snapshot reads the counters (called on the HTTP thread).
     * @param clock    for the loop-stall judgement.
     * @param log      for request failures.
     * @param node     node name, for the thread name.
     * @return the running listener.
     * @throws IOException when the address cannot be bound.
     */
    public static MetricsServer start(
        final InetSocketAddress address,
        final Supplier<CountersSnapshot> snapshot,
        final EpochClock clock,
        final EventLog log,
        final String node) throws IOException
    {
        final ServerSocket socket = new ServerSocket();
        try
        {
            socket.setReuseAddress(true);
            socket.bind(address, 16);
        }
        catch (final IOException ex)
        {
            socket.close();
            throw new IOException("cannot listen on metrics_listen " + address.getAddress().getHostAddress() + ":" +
                address.getPort() + ": " + ex.getMessage() + " (is another process using that port?)", ex);
        }
        return new MetricsServer(socket, snapshot, clock, log, node);
    }

    /**
     * @return the bound address.
     */
    public InetSocketAddress address()
    {
        return (InetSocketAddress)socket.getLocalSocketAddress();
    }

    private void run()
    {
        while (running)
        {
            try (Socket connection = socket.accept())
            {
                serve(connection);
            }
            catch (final IOException ex)
            {
                if (running)
                {
                    log.info("metrics-request-failed", "reason=\"" + ex.getMessage() + "\"");
                }
            }
            catch (final RuntimeException ex)
            {
                log.warn("metrics-request-failed", "reason=\"" + ex + "\"");
            }
        }
    }

    private void serve(final Socket connection) throws IOException
    {
        connection.setSoTimeout(REQUEST_TIMEOUT_MS);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MS);
        final InputStream in = connection.getInputStream();
        final byte[] head = new byte[MAX_REQUEST];
        int length = 0;
        while (headEnd(head, length) < 0)
        {
            if (length == head.length)
            {
                respond(connection, 431, "Request Header Fields Too Large", "text/plain",
                    "request head over " + MAX_REQUEST + " bytes\n", true);
                return;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                respond(connection, 408, "Request Timeout", "text/plain", "request not complete within " +
                    REQUEST_TIMEOUT_MS + " ms\n", true);
                return;
            }
            final int read;
            try
            {
                read = in.read(head, length, head.length - length);
            }
            catch (final SocketTimeoutException ex)
            {
                respond(connection, 408, "Request Timeout", "text/plain", "request not complete within " +
                    REQUEST_TIMEOUT_MS + " ms\n", true);
                return;
            }
            if (read < 0)
            {
                return;
            }
            length += read;
        }
        final String requestLine = new String(head, 0, lineEnd(head, length), StandardCharsets.US_ASCII);
        final String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/"))
        {
            respond(connection, 400, "Bad Request", "text/plain", "malformed request line\n", true);
            return;
        }
        final String method = parts[0];
        final int query = parts[1].indexOf('?');
        final String path = query < 0 ? parts[1] : parts[1].substring(0, query);
        final boolean head0 = "HEAD".equals(method);
        if (!"/metrics".equals(path) && !"/healthz".equals(path))
        {
            respond(connection, 404, "Not Found", "text/plain", "not found: " + path +
                "; this server has /metrics and /healthz\n", !head0);
            return;
        }
        if (!"GET".equals(method) && !head0)
        {
            respond(connection, 405, "Method Not Allowed", "text/plain", "method " + method +
                " not allowed; use GET\n", true);
            return;
        }
        final CountersSnapshot counters = snapshot.get();
        if ("/metrics".equals(path))
        {
            respond(connection, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", counters.prometheus(), !head0);
        }
        else
        {
            final long now = clock.time();
            final boolean healthy = counters.healthy(now);
            respond(connection, healthy ? 200 : 503, healthy ? "OK" : "Service Unavailable", "application/json",
                counters.healthJson(now), !head0);
        }
    }

    private static int headEnd(final byte[] bytes, final int length)
    {
        for (int i = 3; i < length; i++)
        {
            if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r')
            {
                return i;
            }
        }
        for (int i = 1; i < length; i++)
        {
            if (bytes[i] == '\n' && bytes[i - 1] == '\n')
            {
                return i;
            }
        }
        return -1;
    }

    private static int lineEnd(final byte[] bytes, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (bytes[i] == '\r' || bytes[i] == '\n')
            {
                return i;
            }
        }
        return length;
    }

    private static void respond(
        final Socket connection,
        final int status,
        final String reason,
        final String contentType,
        final String body,
        final boolean withBody) throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        final String head = "HTTP/1.1 " + status + " " + reason + "\r\n" +
            "Content-Type: " + contentType + "\r\n" +
            "Content-Length: " + bytes.length + "\r\n" +
            (status == 405 ? "Allow: GET, HEAD\r\n" : "") +
            "Cache-Control: no-store\r\n" +
            "Connection: close\r\n\r\n";
        final OutputStream out = connection.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        if (withBody)
        {
            out.write(bytes);
        }
        out.flush();
    }

    /**
     * Stop serving and close the socket; waits for the request in progress (at most its 2 s bound).
     */
    public void close()
    {
        running = false;
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
        try
        {
            thread.join(REQUEST_TIMEOUT_MS + 1000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
