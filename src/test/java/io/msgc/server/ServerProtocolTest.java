package io.msgc.server;

import io.msgc.wire.AdminFrame;
import io.msgc.wire.DataFrame;
import io.msgc.wire.ReasonFrame;
import io.msgc.wire.ServiceType;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.GroupOpFrame;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.RawConnection;
import io.msgc.wire.WelcomeFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives one real server with raw frames: handshake answers, and every kind of bad input gets a clear
 * answer, closes only the offending connection, and leaves a well-behaved client untouched.
 */
class ServerProtocolTest
{
    private static Cluster cluster;

    @BeforeAll
    static void start()
    {
        // node2 is in the peers list but never started: fake peers can pose as it
        cluster = new Cluster(2, b -> b.connectTimeout(1).maxFrameSize(64 * 1024));
        cluster.start(1);
    }

    @AfterAll
    static void stop()
    {
        cluster.close();
    }

    private static RawConnection connect() throws Exception
    {
        return new RawConnection(cluster.address(1));
    }

    private static RawConnection client(final String name) throws Exception
    {
        final RawConnection c = connect();
        c.hello(HelloFrame.ROLE_CLIENT, name);
        final UnsafeBuffer welcome = c.readType(FrameType.WELCOME, 2000);
        final WelcomeFrame frame = new WelcomeFrame();
        assertEquals(null, frame.wrap(welcome, 0, welcome.capacity()));
        assertEquals("#" + name + "#node1", frame.memberId());
        return c;
    }

    /** A client that must keep working whatever the others do. */
    private static void assertHealthy(final RawConnection c) throws Exception
    {
        final String group = "health" + System.nanoTime();
        c.send(GroupOpFrame.encode(c.buffer, 0, FrameType.JOIN, 0, group));
        c.readType(FrameType.MEMBERSHIP, 2000);
        c.send(GroupOpFrame.encode(c.buffer, 0, FrameType.LEAVE, 0, group));
        c.readType(FrameType.MEMBERSHIP, 2000);
    }

    private static String expectReject(final RawConnection c) throws Exception
    {
        final UnsafeBuffer frame = c.readType(FrameType.REJECT, 3000);
        assertTrue(c.closedByPeer(2000), "connection closed after REJECT");
        return RawConnection.reason(frame);
    }

    @Test
    void clientHelloIsWelcomed() throws Exception
    {
        try (RawConnection c = client("alice"))
        {
            assertHealthy(c);
        }
    }

    @Test
    void badPrivateNameIsRejected() throws Exception
    {
        try (RawConnection c = connect())
        {
            c.hello(HelloFrame.ROLE_CLIENT, "bad name!");
            assertEquals("BAD_NAME: bad private name 'bad name!': 1-31 characters of [A-Za-z0-9_.-]", expectReject(c));
        }
    }

    @Test
    void duplicatePrivateNameIsRejected() throws Exception
    {
        try (RawConnection first = client("dup"); RawConnection second = connect())
        {
            second.hello(HelloFrame.ROLE_CLIENT, "dup");
            assertEquals("DUPLICATE_NAME: private name 'dup' is already connected to node1; choose another name",
                expectReject(second));
            assertHealthy(first);
        }
    }

    @Test
    void firstFrameMustBeHello() throws Exception
    {
        try (RawConnection c = connect())
        {
            c.send(GroupOpFrame.encode(c.buffer, 0, FrameType.JOIN, 0, "g"));
            assertEquals("UNEXPECTED_FRAME: expected HELLO as the first frame, got JOIN", expectReject(c));
        }
    }

    @Test
    void garbageIsRejectedAndOthersUnaffected() throws Exception
    {
        try (RawConnection good = client("good1"); RawConnection bad = connect())
        {
            bad.sendBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            final String reason = expectReject(bad);
            assertTrue(reason.startsWith("OVERSIZE_FRAME: frame length "), reason);
            assertHealthy(good);
        }
    }

    @Test
    void oversizeFrameIsRejected() throws Exception
    {
        try (RawConnection good = client("good2"); RawConnection bad = client("big"))
        {
            FrameHeader.write(bad.buffer, 0, 64 * 1024 + 1, FrameType.DATA, 0);
            bad.send(FrameHeader.LENGTH);
            final UnsafeBuffer error = bad.readType(FrameType.ERROR, 2000);
            assertEquals("OVERSIZE_FRAME: frame length 65537 outside 8..65536 (max_frame_size)",
                RawConnection.reason(error));
            assertTrue(bad.closedByPeer(2000));
            assertHealthy(good);
        }
    }

    @Test
    void wrongVersionIsRejected() throws Exception
    {
        try (RawConnection c = connect())
        {
            final int length = HelloFrame.encode(c.buffer, 0, HelloFrame.ROLE_CLIENT, 0, 0, "v");
            c.buffer.putByte(FrameHeader.VERSION_OFFSET, (byte)7);
            c.send(length);
            assertEquals("BAD_VERSION: protocol version 7 not supported; this server speaks version 2",
                expectReject(c));
        }
    }

    @Test
    void runtFrameLengthIsRejected() throws Exception
    {
        try (RawConnection c = connect())
        {
            FrameHeader.write(c.buffer, 0, 3, FrameType.HELLO, 0);
            c.send(FrameHeader.LENGTH);
            assertEquals("OVERSIZE_FRAME: frame length 3 outside 8..65536 (max_frame_size)", expectReject(c));
        }
    }

    @Test
    void unknownFrameTypeFromClientIsAnErrorAndCloses() throws Exception
    {
        try (RawConnection good = client("good3"); RawConnection c = client("weird"))
        {
            FrameHeader.write(c.buffer, 0, FrameHeader.LENGTH, 99, 0);
            c.send(FrameHeader.LENGTH);
            final UnsafeBuffer error = c.readType(FrameType.ERROR, 2000);
            assertEquals("UNEXPECTED_FRAME: unexpected frame UNKNOWN(99) from a client; closing",
                RawConnection.reason(error));
            assertTrue(c.closedByPeer(2000));
            assertHealthy(good);
        }
    }

    @Test
    void badGroupNameIsAnErrorButKeepsTheConnection() throws Exception
    {
        try (RawConnection c = client("grouper"))
        {
            c.send(GroupOpFrame.encode(c.buffer, 0, FrameType.JOIN, 0, "#nope"));
            final UnsafeBuffer error = c.readType(FrameType.ERROR, 2000);
            assertEquals("BAD_NAME: JOIN refused: bad group name '#nope': 1-127 printable ASCII characters, " +
                "not starting with '#'", RawConnection.reason(error));
            assertHealthy(c);
        }
    }

    @Test
    void frameSplitAcrossWritesIsReassembled() throws Exception
    {
        try (RawConnection c = connect())
        {
            final int length = HelloFrame.encode(c.buffer, 0, HelloFrame.ROLE_CLIENT, 0, 0, "slowpoke");
            final byte[] bytes = new byte[length];
            c.buffer.getBytes(0, bytes);
            for (final byte b : bytes)
            {
                c.sendBytes(new byte[]{b});
                Thread.sleep(2);
            }
            c.readType(FrameType.WELCOME, 2000);
            assertHealthy(c);
        }
    }

    @Test
    void silentConnectionIsRejectedAfterConnectTimeout() throws Exception
    {
        try (RawConnection c = connect())
        {
            final UnsafeBuffer frame = c.readType(FrameType.REJECT, 4000);
            assertEquals("TIMEOUT: no HELLO within connect_timeout=1s", RawConnection.reason(frame));
        }
    }

    @Test
    void adminPeersListsEveryPeer() throws Exception
    {
        try (RawConnection c = connect())
        {
            c.hello(HelloFrame.ROLE_ADMIN, "console");
            c.readType(FrameType.WELCOME, 2000);
            c.send(AdminFrame.encode(c.buffer, 0, FrameType.ADMIN_REQUEST, "peers"));
            final UnsafeBuffer frame = c.readType(FrameType.ADMIN_RESPONSE, 2000);
            final AdminFrame admin = new AdminFrame();
            admin.wrap(frame, 0, frame.capacity());
            final String text = admin.text();
            assertTrue(text.startsWith("node node1 view "), text);
            assertTrue(text.contains("node1        self"), text);
            assertTrue(text.matches("(?s).*node2\\s+(down|connecting)\\s+" + cluster.host(2).replace(".", "\\.") +
                ":" + cluster.port() + ".*"), text);
            assertFalse(text.contains(" up "), "node2 is not running: " + text);
        }
    }

    @Test
    void peerHelloFromUnknownNodeIsRejected() throws Exception
    {
        try (RawConnection c = connect())
        {
            c.send(HelloFrame.encode(c.buffer, 0, HelloFrame.ROLE_PEER, 5, cluster.config().peersDigest(), "intruder"));
            assertEquals("UNKNOWN_NODE: unknown node 'intruder'; node1 has peers " +
                cluster.config().peersDescription(), expectReject(c));
        }
    }

    @Test
    void peerHelloWithOtherPeersListIsRejected() throws Exception
    {
        try (RawConnection c = connect())
        {
            c.send(HelloFrame.encode(c.buffer, 0, HelloFrame.ROLE_PEER, 5, 12345L, "node2"));
            assertEquals("CONFIG_MISMATCH: config digest differs: node1 has peers " +
                cluster.config().peersDescription() + "; every node must use the same peers list", expectReject(c));
        }
        assertTrue(cluster.logs().contains("peer-rejected remote="), cluster.logs());
    }

    @Test
    void peerHelloNamingThisNodeIsRejected() throws Exception
    {
        try (RawConnection c = connect())
        {
            c.send(HelloFrame.encode(c.buffer, 0, HelloFrame.ROLE_PEER, 5, cluster.config().peersDigest(), "node1"));
            assertEquals("DUPLICATE_NAME: node name 'node1' is this node itself", expectReject(c));
        }
    }

    private static int data(final RawConnection c, final long correlation, final String sender, final String group,
        final int payloadLength)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[payloadLength]);
        return DataFrame.encode(c.buffer, 0, correlation, ServiceType.FIFO, 3, sender, new String[]{group}, 1,
            payload, 0, payloadLength);
    }

    @Test
    void senderIsForwardedAsWrittenOrFilledInWhenEmpty() throws Exception
    {
        try (RawConnection c = client("writer"))
        {
            c.send(GroupOpFrame.encode(c.buffer, 0, FrameType.JOIN, 0, "echo"));
            c.readType(FrameType.MEMBERSHIP, 2000);
            final DataFrame decoded = new DataFrame();
            for (final String sender : new String[]{"#writer#node1", ""})
            {
                c.send(data(c, 77, sender, "echo", 5));
                final UnsafeBuffer echo = c.readType(FrameType.DATA, 2000);
                assertEquals(null, decoded.wrap(echo, 0, echo.capacity()));
                assertEquals("#writer#node1", decoded.sender());
                assertEquals(5, decoded.payloadLength());
                assertEquals("echo", decoded.destination(0));
            }
        }
    }

    @Test
    void forgedSenderIsAnErrorWithTheCorrelationId() throws Exception
    {
        try (RawConnection c = client("forger"); RawConnection victim = client("victim"))
        {
            victim.send(GroupOpFrame.encode(victim.buffer, 0, FrameType.JOIN, 0, "forged"));
            victim.readType(FrameType.MEMBERSHIP, 2000);
            c.send(data(c, 4242, "#victim#node1", "forged", 3));
            final UnsafeBuffer error = c.readType(FrameType.ERROR, 2000);
            final ReasonFrame reason = new ReasonFrame();
            assertEquals(null, reason.wrap(error, 0, error.capacity()));
            assertEquals(4242, reason.correlation());
            assertEquals("DATA sender '#victim#node1' is not this member (#forger#node1); leave it empty or write " +
                "the id WELCOME gave", reason.reason());
            assertHealthy(c);
            assertHealthy(victim);
        }
    }

    @Test
    void joinErrorCarriesTheCorrelationId() throws Exception
    {
        try (RawConnection c = client("correlated"))
        {
            c.send(GroupOpFrame.encode(c.buffer, 0, FrameType.LEAVE, 99, "never-joined"));
            final UnsafeBuffer error = c.readType(FrameType.ERROR, 2000);
            final ReasonFrame reason = new ReasonFrame();
            assertEquals(null, reason.wrap(error, 0, error.capacity()));
            assertEquals(99, reason.correlation());
            assertEquals("LIMIT_EXCEEDED", io.msgc.wire.ErrorCode.name(reason.code()));
        }
    }

    @Test
    void welcomeStatesTheFrameSizeAndAFullSizeFrameIsAccepted() throws Exception
    {
        try (RawConnection c = connect())
        {
            c.hello(HelloFrame.ROLE_CLIENT, "fullsize");
            final UnsafeBuffer welcome = c.readType(FrameType.WELCOME, 2000);
            final WelcomeFrame frame = new WelcomeFrame();
            assertEquals(null, frame.wrap(welcome, 0, welcome.capacity()));
            assertEquals(64 * 1024, frame.maxFrameSize());
            c.send(GroupOpFrame.encode(c.buffer, 0, FrameType.JOIN, 0, "full"));
            c.readType(FrameType.MEMBERSHIP, 2000);
            final int overhead = data(c, 0, "#fullsize#node1", "full", 0);
            c.send(data(c, 0, "#fullsize#node1", "full", frame.maxFrameSize() - overhead));
            assertEquals(64 * 1024, c.readType(FrameType.DATA, 2000).capacity());
            // with an empty sender the server would have to grow the frame past the limit: refused, not cut
            final int emptyOverhead = data(c, 0, "", "full", 0);
            c.send(data(c, 5, "", "full", frame.maxFrameSize() - emptyOverhead));
            final UnsafeBuffer error = c.readType(FrameType.ERROR, 2000);
            assertTrue(RawConnection.reason(error).contains("over max_frame_size=65536 once the sender id"),
                RawConnection.reason(error));
            assertHealthy(c);
        }
    }
}
