package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.wire.DataFrame;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.ServiceType;
import io.msgc.wire.WelcomeFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client facing a broken server: a malformed DATA frame is reported through {@code onError} and skipped, and
 * the next good frame is still delivered. Nothing is dropped silently.
 */
class MalformedFromServerTest
{
    @Test
    void malformedDataIsReportedAndSkipped() throws Exception
    {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final CompletableFuture<Void> server = CompletableFuture.runAsync(() -> serve(fake));
            final ClientConfig config = ClientConfig.builder()
                .server(fake.getInetAddress().getHostAddress(), fake.getLocalPort()).name("alice").reconnect(false)
                .build();
            final List<String> errors = new ArrayList<>();
            final List<String> payloads = new ArrayList<>();
            final MessageHandler handler = new MessageHandler()
            {
                public void onMessage(final Message message)
                {
                    payloads.add(message.payload().getStringWithoutLengthAscii(0, message.payloadLength()));
                }

                public void onError(final int code, final String reason)
                {
                    errors.add(code + " " + reason);
                }
            };
            try (MsgcClient client = MsgcClient.connect(config))
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (payloads.isEmpty() && System.nanoTime() < deadline)
                {
                    client.poll(handler, 10);
                }
                assertEquals(List.of("good"), payloads);
                assertEquals(1, errors.size(), errors.toString());
                assertTrue(errors.get(0).startsWith(ErrorCode.MALFORMED_FRAME + " malformed DATA frame from the " +
                    "server skipped: "), errors.get(0));
                assertTrue(client.isConnected());
            }
            server.get(5, TimeUnit.SECONDS);
        }
    }

    private static void serve(final ServerSocket fake)
    {
        try (Socket socket = fake.accept())
        {
            socket.setSoTimeout(5000);
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final byte[] header = new byte[FrameHeader.LENGTH];
            in.readFully(header);
            final int helloLength = new UnsafeBuffer(header).getInt(0, java.nio.ByteOrder.LITTLE_ENDIAN);
            in.readFully(new byte[helloLength - FrameHeader.LENGTH]);

            final UnsafeBuffer out = new UnsafeBuffer(new byte[1024]);
            int at = WelcomeFrame.encode(out, 0, 1L, 0, 1 << 20, "node1", "#alice#node1");
            // a DATA frame that claims 3 destinations and carries none
            final int bad = DataFrame.encode(out, at, 0L, ServiceType.FIFO, 0, "#bob#node1", new String[0], 0,
                out, 0, 0);
            out.putByte(at + DataFrame.COUNT_OFFSET, (byte)3);
            at += bad;
            final UnsafeBuffer good = new UnsafeBuffer("good".getBytes(StandardCharsets.US_ASCII));
            at += DataFrame.encode(out, at, 0L, ServiceType.FIFO, 0, "#bob#node1", new String[]{"chat"}, 1, good, 0, 4);
            final OutputStream os = socket.getOutputStream();
            os.write(out.byteArray(), 0, at);
            os.flush();
            // stay open until the client has read both frames and closes
            while (in.read() >= 0)
            {
                Thread.onSpinWait();
            }
        }
        catch (final java.io.IOException ex)
        {
            // the client closed: expected at the end
        }
    }
}
