package io.msgc.admin;

import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP side of /metrics and /healthz: status codes, headers, bounds on what a client may send.
 */
class MetricsServerTest
{
    @TempDir
    Path dir;

    private CountersFile file;
    private NodeCounters.PeerCounters node2;
    private MetricsServer server;
    private EventLog log;

    @BeforeEach
    void setUp() throws Exception
    {
        file = CountersFile.create(dir.resolve("c"), "node1", "1.0", ProcessHandle.current().pid(),
            System.currentTimeMillis(), 1500);
        final NodeCounters counters = new NodeCounters(new CountersManager(file.metadataBuffer(), file.valuesBuffer(),
            StandardCharsets.US_ASCII));
        node2 = counters.newPeer("node2");
        counters.messagesInClient.setOrdered(42);
        log = new EventLog("node1", new PrintStream(new ByteArrayOutputStream()), "NOTICE");
        server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            () ->
            {
                file.heartbeat(System.currentTimeMillis());
                return CountersSnapshot.read(file);
            }, SystemEpochClock.INSTANCE, log, "node1");
    }

    @AfterEach
    void tearDown()
    {
        server.close();
        file.close();
        log.close();
    }

    private String exchange(final String request) throws Exception
    {
        try (Socket socket = new Socket())
        {
            socket.connect(server.address(), 2000);
            socket.setSoTimeout(5000);
            final OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void metricsAnswersPrometheusText() throws Exception
    {
        final String response = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
        assertTrue(response.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), response);
        assertTrue(response.contains("\r\nmsgc_messages_in_total{source=\"client\"} 42\n") ||
            response.contains("\nmsgc_messages_in_total{source=\"client\"} 42\n"), response);
        final int body = response.indexOf("\r\n\r\n") + 4;
        final String length = response.replaceAll("(?s).*Content-Length: (\\d+).*", "$1");
        assertEquals(Integer.parseInt(length), response.substring(body).getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void healthzIs503UntilEveryPeerIsUp() throws Exception
    {
        String response = exchange("GET /healthz HTTP/1.0\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), response);
        assertTrue(response.contains("Content-Type: application/json"), response);
        assertTrue(response.contains("\"status\":\"degraded\"") && response.contains("\"node2\":\"down\""), response);
        node2.state().setOrdered(CounterKind.PEER_STATE_UP);
        response = exchange("GET /healthz?verbose=1 HTTP/1.1\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
        assertTrue(response.contains("\"status\":\"ok\"") && response.contains("\"node2\":\"up\""), response);
    }

    @Test
    void otherPathsMethodsAndBadRequestsAreRefused() throws Exception
    {
        assertTrue(exchange("GET /other HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 404 Not Found\r\n"));
        final String post = exchange("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        assertTrue(post.startsWith("HTTP/1.1 405 Method Not Allowed\r\n") && post.contains("Allow: GET, HEAD\r\n"),
            post);
        final String head = exchange("HEAD /metrics HTTP/1.1\r\n\r\n");
        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n") && head.endsWith("\r\n\r\n"), head);
        assertTrue(exchange("garbage\r\n\r\n").startsWith("HTTP/1.1 400 Bad Request\r\n"));
        assertTrue(exchange("GET /metrics HTTP/1.1\r\nX: " + "y".repeat(9000) + "\r\n\r\n")
            .startsWith("HTTP/1.1 431 "));
        // a client that never finishes its request is cut off after the bound, and the next one is served
        try (Socket slow = new Socket())
        {
            slow.connect(server.address(), 2000);
            slow.getOutputStream().write("GET /metr".getBytes(StandardCharsets.US_ASCII));
            slow.setSoTimeout(5000);
            final String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 408 Request Timeout\r\n"), answer);
        }
        assertTrue(exchange("GET /metrics HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 200 OK\r\n"));
    }
}
