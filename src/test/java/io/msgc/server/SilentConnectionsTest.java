package io.msgc.server;

import io.msgc.client.TestMember;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.ServerConfig;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.ReasonFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.EOFException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, defect 5: connections that never say HELLO cost no buffer memory, are capped by
 * {@code max_handshakes} (the one waiting longest is refused with a reason and counted), and the node keeps
 * serving its real clients; all buffers stay within {@code max_buffer_memory}.
 */
class SilentConnectionsTest
{
    private static final int SILENT = 300;
    private static final int MAX_HANDSHAKES = 20;
    private static final int BUDGET = 1 << 20;

    @Test
    void moreSilentConnectionsThanTheBudgetHoldsAreRefusedAndRealClientsAreServed() throws Exception
    {
        // with the 128 KiB each connection used to take at accept, this budget holds 8 connections
        try (Cluster cluster = new Cluster(1, b -> b.maxHandshakes(MAX_HANDSHAKES).maxBufferMemory(BUDGET)).startAll())
        {
            final List<Socket> silent = new ArrayList<>();
            try (TestMember alice = TestMember.connect("alice", cluster.address(1));
                TestMember bob = TestMember.connect("bob", cluster.address(1)))
            {
                alice.joinAndWait("g");
                bob.joinAndWait("g");
                for (int i = 0; i < SILENT; i++)
                {
                    final Socket socket = new Socket();
                    silent.add(socket);
                    socket.connect(cluster.address(1), 2000);
                    if (i % 3 == 0)
                    {
                        socket.getOutputStream().write(new byte[]{1, 2, 3}); // less than a frame header
                    }
                }
                // one that announces a frame far larger than a HELLO is refused at once
                try (Socket trickler = new Socket())
                {
                    trickler.connect(cluster.address(1), 2000);
                    final UnsafeBuffer header = new UnsafeBuffer(new byte[FrameHeader.LENGTH + 4]);
                    FrameHeader.write(header, 0, 1 << 20, FrameType.HELLO, 0);
                    trickler.getOutputStream().write(header.byteArray());
                    assertTrue(readReason(trickler).startsWith("OVERSIZE_FRAME: frame length 1048576 is over the 4096 " +
                        "bytes"), "trickler");
                }

                Cluster.await("silent connections refused", 10_000,
                    () -> stat(cluster, "handshakes-refused") >= SILENT - MAX_HANDSHAKES);
                // the node still serves: a new client gets in, everyone exchanges messages
                try (TestMember carol = TestMember.connect("carol", cluster.address(1)))
                {
                    carol.joinAndWait("g");
                    alice.send(1, "g");
                    carol.send(2, "g");
                    bob.awaitMessages(2, 5000);
                    alice.awaitMessages(2, 5000);
                    carol.awaitMessages(2, 5000);
                }

                // the oldest silent connections got a REJECT that says why, then the close
                for (int i = 0; i < SILENT - MAX_HANDSHAKES - 5; i++)
                {
                    if (i % 3 == 0)
                    {
                        continue; // sent bytes: the close may come as a reset that drops the REJECT
                    }
                    final String reason = readReason(silent.get(i));
                    assertTrue(reason.startsWith("LIMIT_EXCEEDED: node1 has 20 connections waiting for HELLO " +
                        "(max_handshakes=20)"), i + ": " + reason);
                }
                assertTrue(stat(cluster, "buffer-memory") <= BUDGET, "buffer memory within the budget");
                assertTrue(cluster.logs().contains("handshakes-refused count="), cluster.logs());
            }
            finally
            {
                for (final Socket socket : silent)
                {
                    socket.close();
                }
            }
        }
    }

    @Test
    void bothLimitsAreConfigOptions() throws Exception
    {
        final ServerConfig config = MsgcConfig.parse("t.conf", "msgc_server {\n  peers = [ a = \"127.0.0.1\" ]\n" +
            "  max_handshakes = 50\n  max_buffer_memory = 16777216\n}\n").server();
        assertEquals(50, config.maxHandshakes());
        assertEquals(16 << 20, config.maxBufferMemory());
        final ServerConfig defaults = ServerConfig.builder().peer("a", "127.0.0.1", 4809).build();
        assertEquals(1000, defaults.maxHandshakes());
        assertEquals(512 << 20, defaults.maxBufferMemory());
    }

    private static long stat(final Cluster cluster, final String name)
    {
        for (final String line : Admin.request(cluster.address(1), "stats").split("\n"))
        {
            if (line.startsWith(name + " "))
            {
                return Long.parseLong(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no stat " + name);
    }

    private static String readReason(final Socket socket) throws Exception
    {
        socket.setSoTimeout(5000);
        final DataInputStream in = new DataInputStream(socket.getInputStream());
        final byte[] header = new byte[FrameHeader.LENGTH];
        in.readFully(header);
        final UnsafeBuffer h = new UnsafeBuffer(header);
        assertEquals(FrameType.REJECT, FrameHeader.type(h, 0));
        final byte[] frame = new byte[FrameHeader.frameLength(h, 0)];
        System.arraycopy(header, 0, frame, 0, header.length);
        in.readFully(frame, header.length, frame.length - header.length);
        final ReasonFrame reason = new ReasonFrame();
        final UnsafeBuffer f = new UnsafeBuffer(frame);
        final String error = reason.wrap(f, 0, frame.length);
        try
        {
            in.readByte();
            throw new AssertionError("not closed after the REJECT");
        }
        catch (final EOFException expected)
        {
            // closed, as it should be
        }
        return error != null ? error : ErrorCode.name(reason.code()) + ": " + reason.reason();
    }
}
