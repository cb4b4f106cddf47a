package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.ServiceType;
import io.msgc.wire.WelcomeFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code onDisconnect} counts exactly the messages the library held and never wrote: those still in the send
 * queue and those in the socket's write buffer, a message written in part included. A server that stops reading
 * lets both fill; it then takes every byte the client wrote (so the kernel holds nothing) and resets the
 * connection. Every message multicast accepted is then either received whole by the server or counted unsent.
 */
class UnsentCountTest
{
    private static final int PAYLOAD = 1000;
    private static final long[] HELLO_LENGTH = {0};

    @Test
    void everyAcceptedMessageIsReceivedOrCountedUnsent() throws Exception
    {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> welcome(fake));
            final MsgcClient client = MsgcClient.connect(ClientConfig.builder()
                .server(fake.getInetAddress().getHostAddress(), fake.getLocalPort()).name("alice").reconnect(false)
                .build());
            final long[] reported = {-1};
            final MessageHandler handler = new MessageHandler()
            {
                public void onMessage(final Message message)
                {
                }

                public void onDisconnect(final String reason, final long unsentFrames, final boolean reconnecting)
                {
                    reported[0] = unsentFrames;
                }
            };
            final Socket server = accepted.get(5, TimeUnit.SECONDS);
            try (client)
            {
                // the server reads nothing: kernel buffers, the socket's write buffer and the send queue fill up
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD]);
                long sent = 0;
                int refusedInARow = 0;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (refusedInARow < 2000 && System.nanoTime() < deadline)
                {
                    payload.putLong(0, sent);
                    if (client.multicast(ServiceType.FIFO, 1, payload, 0, PAYLOAD, "g") > 0)
                    {
                        sent++;
                        refusedInARow = 0;
                    }
                    else
                    {
                        refusedInARow++;
                    }
                    client.poll(handler, 10);
                }
                assertTrue(refusedInARow >= 2000, "the queue filled");

                // no more polls: the client writes nothing now. The server takes exactly what was written.
                final long written = client.bytesWritten();
                final long received = countDataFrames(server.getInputStream(), written - HELLO_LENGTH[0]);
                server.setSoLinger(true, 0);
                server.close(); // RST: the client's next read fails and nothing more can be written

                while (reported[0] < 0 && System.nanoTime() < deadline)
                {
                    client.poll(handler, 10);
                }
                assertTrue(reported[0] >= 0, "onDisconnect was called");
                assertEquals(sent, received + reported[0], "sent " + sent + " = received " + received +
                    " + reported unsent " + reported[0]);
                // more than the send queue can hold: the socket's write buffer held some of them
                assertTrue(reported[0] > client.sendQueueCapacity() / PAYLOAD, "reported " + reported[0]);
                assertEquals(reported[0], client.unsentFrames());
            }
            finally
            {
                server.close();
            }
        }
    }

    private static Socket welcome(final ServerSocket fake)
    {
        try
        {
            final Socket socket = fake.accept();
            socket.setSoTimeout(10_000);
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final byte[] header = new byte[FrameHeader.LENGTH];
            in.readFully(header);
            final int length = new UnsafeBuffer(header).getInt(0, ByteOrder.LITTLE_ENDIAN);
            in.readFully(new byte[length - header.length]);
            HELLO_LENGTH[0] = length;
            final UnsafeBuffer out = new UnsafeBuffer(new byte[256]);
            socket.getOutputStream().write(out.byteArray(), 0,
                WelcomeFrame.encode(out, 0, 1L, 0, 1 << 20, "node1", "#alice#node1"));
            socket.getOutputStream().flush();
            return socket;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Read exactly {@code bytes} more bytes and count the complete DATA frames among them.
     */
    private static long countDataFrames(final InputStream in, final long bytes) throws Exception
    {
        final byte[] chunk = new byte[64 * 1024];
        final UnsafeBuffer frames = new UnsafeBuffer(new byte[1 << 20]);
        long left = bytes;
        int have = 0;
        long count = 0;
        while (left > 0)
        {
            final int n = in.read(chunk, 0, (int)Math.min(chunk.length, left));
            if (n < 0)
            {
                throw new AssertionError("the client closed with " + left + " bytes still to come");
            }
            left -= n;
            frames.putBytes(have, chunk, 0, n);
            have += n;
            int at = 0;
            while (have - at >= FrameHeader.LENGTH && have - at >= FrameHeader.frameLength(frames, at))
            {
                count += FrameHeader.type(frames, at) == FrameType.DATA ? 1 : 0;
                at += FrameHeader.frameLength(frames, at);
            }
            frames.putBytes(0, frames, at, have - at);
            have -= at;
        }
        return count;
    }
}
