package io.msgc.server;

import io.msgc.wire.ChallengeFrame;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.WelcomeFrame;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test helper: a listener at a peer's address that answers every dial the way a node that must not be trusted
 * would: optionally a CHALLENGE (and it takes the AUTH), then a WELCOME without a proof, naming the node and index
 * it was told to.
 */
final class FakeNode implements AutoCloseable
{
    private final ServerSocket server;
    private final Thread thread;
    private final AtomicInteger hellos = new AtomicInteger();

    FakeNode(final InetSocketAddress address, final boolean challenge, final String node, final int index)
        throws IOException
    {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address);
        thread = new Thread(() ->
        {
            while (!server.isClosed())
            {
                try (Socket socket = server.accept())
                {
                    socket.setSoTimeout(3000);
                    final DataInputStream in = new DataInputStream(socket.getInputStream());
                    final OutputStream out = socket.getOutputStream();
                    final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
                    if (challenge)
                    {
                        out.write(buffer.byteArray(), 0, ChallengeFrame.encode(buffer, 0, new byte[32], node));
                    }
                    readFrame(in); // HELLO
                    hellos.incrementAndGet();
                    if (challenge)
                    {
                        readFrame(in); // AUTH
                    }
                    out.write(buffer.byteArray(), 0, WelcomeFrame.encode(buffer, 0, 42, index, 1 << 20, node, ""));
                    out.flush();
                    // wait for the dialler to close
                    while (in.read() >= 0)
                    {
                        continue;
                    }
                }
                catch (final IOException ignore)
                {
                    // closed, or the dialler gave up: take the next dial
                }
            }
        }, "fake-node");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @return the port it listens on.
     */
    int port()
    {
        return server.getLocalPort();
    }

    /**
     * @return HELLOs received so far.
     */
    int hellos()
    {
        return hellos.get();
    }

    private static void readFrame(final DataInputStream in) throws IOException
    {
        final byte[] header = new byte[FrameHeader.LENGTH];
        in.readFully(header);
        final int length = FrameHeader.frameLength(new UnsafeBuffer(header), 0);
        in.readFully(new byte[Math.max(0, length - FrameHeader.LENGTH)]);
    }

    /** {@inheritDoc} */
    public void close() throws IOException
    {
        server.close();
    }
}
