package io.msgc.server;

import io.msgc.admin.CounterKind;
import io.msgc.admin.CountersFile;
import io.msgc.admin.CountersSnapshot;
import io.msgc.admin.EventLog;
import io.msgc.client.MsgcClient;
import io.msgc.client.MsgcException;
import io.msgc.client.TestMember;
import io.msgc.conf.ClientConfig;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.Secret;
import io.msgc.conf.ServerConfig;
import io.msgc.wire.AuthProof;
import io.msgc.wire.DataFrame;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.EventFrame;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.RawConnection;
import io.msgc.wire.ServiceType;
import io.msgc.wire.StreamFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11 on real sockets: clients and peers without the secret, with a wrong one, and replaying a recorded
 * handshake are refused with a reason and counted; a node that cannot prove the secret is refused by those that
 * dial it; peers bind to their addresses and to their own members; a cheap refusal for the rest.
 */
class AuthProtocolTest
{
    static final Secret SECRET = Secret.of("the-cluster-secret-0001");
    static final Secret WRONG = Secret.of("not-the-cluster-secret-1");
    private static final AuthProof PROOF = new AuthProof(SECRET.keys());
    private static final AuthProof WRONG_PROOF = new AuthProof(WRONG.keys());

    static long counter(final MsgcServer server, final CounterKind kind) throws Exception
    {
        try (CountersFile file = CountersFile.open(server.countersFile()))
        {
            return CountersSnapshot.read(file).value(kind);
        }
    }

    private static ClientConfig client(final InetSocketAddress server, final String name, final Secret secret)
    {
        return ClientConfig.builder().server(server.getHostString(), server.getPort()).name(name).reconnect(false)
            .connectTimeout(3).secret(secret).build();
    }

    // ---------------------------------------------------------------- clients

    @Test
    void aClientWithoutTheSecretWithAWrongOneOrReplayingAHandshakeIsRefused() throws Exception
    {
        try (Cluster cluster = new Cluster(1, b -> b.authSecret(SECRET)).startAll())
        {
            final InetSocketAddress node1 = cluster.address(1);
            try (RawConnection c = new RawConnection(node1))
            {
                assertEquals("AUTH_REQUIRED: node1 requires authentication and this client offered none: give the " +
                    "client the cluster secret (auth_secret_file in msgc_client, msgc --secret-file, or " +
                    "ClientConfig.Builder.secret)",
                    RawConnection.reason(c.handshake(HelloFrame.ROLE_CLIENT, "alice", 0, 0, null)));
                assertTrue(c.closedByPeer(2000));
            }
            final long startNs = System.nanoTime();
            final MsgcException none = assertThrows(MsgcException.class,
                () -> MsgcClient.connect(client(node1, "alice", null)));
            // a refusal ends the attempt at once, not at connect_timeout (3 s here)
            assertTrue(System.nanoTime() - startNs < 2_500_000_000L, "refused at once");
            assertEquals(ErrorCode.AUTH_REQUIRED, none.code());
            assertTrue(none.getMessage().contains("refused: AUTH_REQUIRED: node1 requires authentication"),
                none.getMessage());

            try (RawConnection c = new RawConnection(node1))
            {
                assertEquals("AUTH_FAILED: authentication failed: the proof matches no secret of node1 (a wrong " +
                    "secret, or a replayed handshake)",
                    RawConnection.reason(c.handshake(HelloFrame.ROLE_CLIENT, "alice", 0, 0, WRONG_PROOF)));
            }
            final MsgcException wrong = assertThrows(MsgcException.class,
                () -> MsgcClient.connect(client(node1, "alice", WRONG)));
            assertEquals(ErrorCode.AUTH_FAILED, wrong.code());

            // a recorded good handshake, replayed on a new connection, meets a new challenge
            final byte[] recorded;
            try (RawConnection c = new RawConnection(node1))
            {
                final UnsafeBuffer welcome = c.handshake(HelloFrame.ROLE_CLIENT, "alice", 0, 0, PROOF);
                assertEquals(FrameType.WELCOME, FrameHeader.type(welcome, 0), RawConnection.reason(welcome));
                assertNull(c.checkWelcome(welcome));
                recorded = c.sentBytes();
            }
            Cluster.await("alice gone", 3000, () -> !Admin.request(node1, "groups", PROOF).contains("alice"));
            try (RawConnection replay = new RawConnection(node1))
            {
                replay.sendBytes(recorded);
                assertEquals("AUTH_FAILED: authentication failed: the proof matches no secret of node1 (a wrong " +
                    "secret, or a replayed handshake)", RawConnection.reason(replay.readType(FrameType.REJECT, 3000)));
                assertTrue(replay.closedByPeer(2000));
            }

            // with the secret: welcomed, and messages flow as without one
            try (TestMember alice = TestMember.connect("alice", client(node1, "alice", SECRET));
                TestMember bob = TestMember.connect("bob", client(node1, "bob", SECRET)))
            {
                alice.joinAndWait("g");
                bob.joinAndWait("g");
                alice.send(1, "g");
                bob.awaitMessages(1, 5000);
            }
            assertEquals(2, counter(cluster.server(1), CounterKind.REFUSED_AUTH_REQUIRED));
            assertEquals(3, counter(cluster.server(1), CounterKind.REFUSED_AUTH_FAILED));
            assertTrue(cluster.logs().contains("WARNING node1 rejected remote=127.0.0.1:"), cluster.logs());
            assertTrue(cluster.logs().contains("code=AUTH_FAILED"), cluster.logs());
        }
    }

    @Test
    void aClientWithASecretRefusesANodeWithoutOne() throws Exception
    {
        try (Cluster cluster = new Cluster(1).startAll())
        {
            final MsgcException refused = assertThrows(MsgcException.class,
                () -> MsgcClient.connect(client(cluster.address(1), "alice", SECRET)));
            assertEquals(ErrorCode.AUTH_FAILED, refused.code());
            assertTrue(refused.getMessage().contains("AUTH_FAILED: node1 has no auth_secret_file: it cannot check or " +
                "prove the secret this client offers"), refused.getMessage());
            // nor one that answers without proving the secret
            final String host = Loopback.block() + "1";
            try (FakeNode fake = new FakeNode(new InetSocketAddress(host, Loopback.freePort(host)), true, "node1", 0))
            {
                final MsgcException unproven = assertThrows(MsgcException.class, () -> MsgcClient.connect(
                    client(new InetSocketAddress(host, fake.port()), "alice", SECRET)));
                assertEquals(ErrorCode.AUTH_FAILED, unproven.code());
                assertTrue(unproven.getMessage().contains("AUTH_FAILED: the server did not prove the secret: its " +
                    "WELCOME carries no proof"), unproven.getMessage());
            }
            // and without: as today, with one WARNING at start that nobody authenticates
            try (TestMember alice = TestMember.connect("alice", cluster.address(1)))
            {
                alice.joinAndWait("g");
            }
            final String logs = cluster.logs();
            assertEquals(1, logs.split(" WARNING node1 auth-disabled ", -1).length - 1, logs);
        }
    }

    // ---------------------------------------------------------------- peers

    @Test
    void aPeerWithoutTheSecretWithAWrongOneOrReplayingAHandshakeIsRefused() throws Exception
    {
        try (Cluster cluster = new Cluster(2, b -> b.authSecret(SECRET)))
        {
            cluster.start(1);
            final long digest = cluster.config().peersDigest();
            final InetSocketAddress fromNode2 = new InetSocketAddress(cluster.host(2), 0);
            try (RawConnection c = new RawConnection(cluster.address(1), fromNode2))
            {
                assertEquals("AUTH_REQUIRED: node1 requires authentication and this peer offered none: set " +
                    "auth_secret_file in msgc_server on every node",
                    RawConnection.reason(c.handshake(HelloFrame.ROLE_PEER, "node2", 7, digest, null)));
            }
            try (RawConnection c = new RawConnection(cluster.address(1), fromNode2))
            {
                assertTrue(RawConnection.reason(c.handshake(HelloFrame.ROLE_PEER, "node2", 7, digest, WRONG_PROOF))
                    .startsWith("AUTH_FAILED: authentication failed: the proof matches no secret of node1"));
            }
            final byte[] recorded;
            try (RawConnection c = fakeNode2(cluster, 7))
            {
                recorded = c.sentBytes();
            }
            Cluster.await("the fake node2's link is down", 3000,
                () -> !Admin.request(cluster.address(1), "peers", PROOF).matches("(?s).*node2\\s+up\\s.*"));
            try (RawConnection replay = new RawConnection(cluster.address(1), fromNode2))
            {
                replay.sendBytes(recorded);
                assertTrue(RawConnection.reason(replay.readType(FrameType.REJECT, 3000))
                    .startsWith("AUTH_FAILED: authentication failed"));
            }
            assertEquals(1, counter(cluster.server(1), CounterKind.REFUSED_AUTH_REQUIRED));
            assertEquals(2, counter(cluster.server(1), CounterKind.REFUSED_AUTH_FAILED));

            // a real node with another secret: each side refuses the other, and says so
            final ServerConfig other = ServerConfig.builder().peer("node1", cluster.host(1), cluster.port())
                .peer("node2", cluster.host(2), cluster.port()).heartbeatIntervalMs(100).peerTimeoutMs(600)
                .reconnectInitialMs(50).reconnectInterval(1).authSecret(WRONG).build();
            final ByteArrayOutputStream otherLog = new ByteArrayOutputStream();
            try (MsgcServer node2 = MsgcServer.start(other, MsgcConfig.parse("x.conf", "").listener(), "node2",
                new EventLog("node2", new PrintStream(otherLog, true), "NOTICE")))
            {
                Cluster.await("both sides refuse", 5000, () -> otherLog.toString().contains(
                    "WARNING node2 peer-refused node=node1 code=AUTH_FAILED") &&
                    cluster.logs().contains("WARNING node1 peer-refused node=node2 code=AUTH_FAILED"),
                    () -> cluster.logs() + otherLog);
                assertTrue(cluster.sees(1, 1));
                assertEquals(1L << 1, node2.reachableNodes());
                assertTrue(Admin.request(cluster.address(1), "peers", PROOF).contains("refused"));
            }
        }
    }

    @Test
    void withTheSecretTheMeshFormsAndMembersOnEveryNodeTalk() throws Exception
    {
        try (Cluster cluster = new Cluster(3, b -> b.authSecret(SECRET)).startAll())
        {
            Cluster.await("3-node mesh", 5000, cluster::fullMesh);
            try (TestMember alice = TestMember.connect("alice", client(cluster.address(1), "alice", SECRET));
                TestMember carol = TestMember.connect("carol", client(cluster.address(3), "carol", SECRET)))
            {
                alice.joinAndWait("g");
                carol.joinAndWait("g");
                Cluster.await("both in g everywhere", 3000,
                    () -> Admin.request(cluster.address(2), "groups", PROOF).contains("g 2"));
                alice.send(1, "g");
                carol.send(2, "g");
                alice.awaitMessages(2, 5000);
                carol.awaitMessages(2, 5000);
            }
            assertTrue(!cluster.logs().contains(" WARNING "), cluster.logs());
        }
    }

    @Test
    void aNodeThatCannotProveTheSecretOrNamesAnotherNodeIsNotLinked() throws Exception
    {
        // node2's address answers with a WELCOME that proves nothing, then one that names node3
        for (final boolean secret : new boolean[]{true, false})
        {
            try (Cluster cluster = new Cluster(3, b -> secret ? b.authSecret(SECRET) : b);
                FakeNode fake = new FakeNode(cluster.address(2), secret, secret ? "node2" : "node3", secret ? 1 : 2))
            {
                cluster.start(1);
                Cluster.await("node1 dialled the fake node2", 5000, () -> fake.hellos() > 0);
                final String expected = secret ? "refused node2: AUTH_FAILED: the server did not prove the secret: " +
                    "its WELCOME carries no proof" : "names node 'node3' (index 2), not node2";
                Cluster.await("node1 says why", 5000, () -> Admin.request(cluster.address(1), "peers",
                    secret ? PROOF : null).contains(expected), () -> Admin.request(cluster.address(1), "peers",
                    secret ? PROOF : null) + cluster.logs());
                assertTrue(cluster.sees(1, 1));
                assertTrue(!cluster.logs().contains("peer-up"), cluster.logs());
            }
        }
    }

    @Test
    void aPeerFromAnotherAddressIsRefusedAndCountedUnlessTheCheckIsOff() throws Exception
    {
        try (Cluster cluster = new Cluster(2, b -> b.authSecret(SECRET)))
        {
            cluster.start(1);
            try (RawConnection c = new RawConnection(cluster.address(1)))
            {
                final String reason = RawConnection.reason(
                    c.handshake(HelloFrame.ROLE_PEER, "node2", 7, cluster.config().peersDigest(), PROOF));
                assertEquals("ADDRESS_MISMATCH: node node2 must connect from " + cluster.host(2) + " (its peers " +
                    "entry " + cluster.host(2) + ":" + cluster.port() + "), not from 127.0.0.1; behind NAT set " +
                    "peer_address_check = false", reason);
            }
            assertEquals(1, counter(cluster.server(1), CounterKind.REFUSED_PEER_ADDRESS));
            assertTrue(cluster.logs().contains("WARNING node1 peer-rejected remote=127.0.0.1:"), cluster.logs());
        }
        try (Cluster cluster = new Cluster(2, b -> b.authSecret(SECRET).peerAddressCheck(false)))
        {
            cluster.start(1);
            try (RawConnection c = new RawConnection(cluster.address(1)))
            {
                final UnsafeBuffer answer =
                    c.handshake(HelloFrame.ROLE_PEER, "node2", 7, cluster.config().peersDigest(), PROOF);
                assertEquals(FrameType.WELCOME, FrameHeader.type(answer, 0), RawConnection.reason(answer));
            }
        }
    }

    @Test
    void aForgedSenderOrMemberClosesThePeerLinkWithAReasonAndIsCounted() throws Exception
    {
        try (Cluster cluster = new Cluster(3, b -> b.authSecret(SECRET)))
        {
            cluster.start(1);
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
            // node2 sends a message of its own member, then one "from" a member of node3
            try (RawConnection c = fakeNode2(cluster, 7))
            {
                c.send(DataFrame.encode(c.buffer, 0, 1, ServiceType.FIFO, 0, "#alice#node2", new String[]{"g"}, 1,
                    payload, 0, 8));
                c.send(DataFrame.encode(c.buffer, 0, 2, ServiceType.FIFO, 0, "#mallory#node3", new String[]{"g"}, 1,
                    payload, 0, 8));
                assertEquals("FORGED_IDENTITY: node1 refused a frame from node2: forged identity: DATA from node2 " +
                    "names sender '#mallory#node3', not a member of node2",
                    RawConnection.reason(c.readType(FrameType.ERROR, 3000)));
                assertTrue(c.closedByPeer(3000));
            }
            Cluster.await("link down", 3000,
                () -> !Admin.request(cluster.address(1), "peers", PROOF).matches("(?s).*node2\\s+up\\s.*"));
            // node2 asks the sequencer to order a join of a member of node3
            try (RawConnection c = fakeNode2(cluster, 8))
            {
                c.send(EventFrame.encode(c.buffer, 0, FrameType.EVENT_REQUEST, 1, 0, EventFrame.OP_JOIN, 2, "g",
                    "mallory"));
                assertEquals("FORGED_IDENTITY: node1 refused a frame from node2: forged identity: EVENT_REQUEST " +
                    "from node2 is for a member of node index 2, not of node2",
                    RawConnection.reason(c.readType(FrameType.ERROR, 3000)));
                assertTrue(c.closedByPeer(3000));
            }
            // an "ordered" copy (as the sequencer sends other nodes' messages) of a member of no node at all
            try (RawConnection c = fakeNode2(cluster, 9))
            {
                final int length = DataFrame.encode(c.buffer, 0, 1, ServiceType.AGREED, 0, "#mallory#node9",
                    new String[]{"g"}, 1, payload, 0, 8);
                StreamFrame.ordered(c.buffer, 0);
                c.send(length);
                assertEquals("FORGED_IDENTITY: node1 refused a frame from node2: forged identity: ordered DATA from " +
                    "node2 names sender '#mallory#node9', a member of no node of the peers list",
                    RawConnection.reason(c.readType(FrameType.ERROR, 3000)));
                assertTrue(c.closedByPeer(3000));
            }
            // a failed node's frame, handed on by a survivor, with a sender that is not that node's member
            try (RawConnection c = fakeNode2(cluster, 10))
            {
                final int length = DataFrame.encode(c.buffer, 0, 1, ServiceType.FIFO, 0, "#mallory#node2",
                    new String[]{"g"}, 1, payload, 0, 8);
                StreamFrame.markRecovered(c.buffer, 0, 2);
                c.send(length);
                assertEquals("FORGED_IDENTITY: node1 refused a frame from node2: forged identity: DATA from node2 " +
                    "names sender '#mallory#node2', not a member of node3",
                    RawConnection.reason(c.readType(FrameType.ERROR, 3000)));
                assertTrue(c.closedByPeer(3000));
            }
            assertEquals(4, counter(cluster.server(1), CounterKind.REFUSED_FORGED_IDENTITY));
            assertTrue(cluster.logs().contains("WARNING node1 peer-protocol-error node=node2 code=FORGED_IDENTITY " +
                "reason=\"forged identity: DATA from node2"), cluster.logs());
        }
    }

    /**
     * A fake node2 that proves the secret, from node2's address, and checks node1's proof. node1 keeps redialling the real node2's address
     * meanwhile; a HELLO that meets one of those dials in flight is refused as a simultaneous dial: try again.
     */
    private static RawConnection fakeNode2(final Cluster cluster, final long incarnation) throws Exception
    {
        for (int attempt = 0; ; attempt++)
        {
            final RawConnection c = new RawConnection(cluster.address(1), new InetSocketAddress(cluster.host(2), 0));
            final UnsafeBuffer answer = c.handshake(HelloFrame.ROLE_PEER, "node2", incarnation,
                cluster.config().peersDigest(), PROOF);
            if (FrameHeader.type(answer, 0) == FrameType.WELCOME)
            {
                assertNull(c.checkWelcome(answer), "node1 proves the secret back");
                return c;
            }
            c.close();
            final String reason = RawConnection.reason(answer);
            if (!reason.startsWith("DUPLICATE_LINK: simultaneous dial") || attempt == 50)
            {
                throw new AssertionError(reason);
            }
            Thread.sleep(10);
        }
    }

    // ---------------------------------------------------------------- consoles

    @Test
    void theAdminSecretSeparatesReadOnlyCommandsFromTheOnesThatChangeState() throws Exception
    {
        final Secret admin = Secret.of("the-admin-secret-000001");
        try (Cluster cluster = new Cluster(1, b -> b.authSecret(SECRET).adminSecret(admin)).startAll())
        {
            final InetSocketAddress node1 = cluster.address(1);
            assertTrue(Admin.request(node1, "peers", PROOF).startsWith("node node1 "));
            assertTrue(Admin.request(node1, "stats", PROOF).contains("refused-admin-read-only 0"));
            assertEquals("error: READ_ONLY: 'reload' is not a read-only command (peers, groups, stats); it needs the " +
                "admin secret (admin_secret_file of node1), and this console proved only the cluster secret\n",
                Admin.request(node1, "reload", PROOF));
            // the admin secret may do everything (this node has no file to reload: it gets that far)
            assertTrue(Admin.request(node1, "reload", new AuthProof(admin.keys()))
                .startsWith("error: node node1 runs without a config file"));
            assertTrue(Admin.request(node1, "groups", new AuthProof(admin.keys())).isEmpty() ||
                !Admin.request(node1, "groups", new AuthProof(admin.keys())).startsWith("error"));
            assertEquals(1, counter(cluster.server(1), CounterKind.REFUSED_ADMIN_READ_ONLY));
            assertTrue(cluster.logs().contains("WARNING node1 admin-refused remote=127.0.0.1:"), cluster.logs());
        }
        // an admin secret alone: peers, clients and plain consoles connect as without a secret, read-only
        try (Cluster cluster = new Cluster(1, b -> b.adminSecret(admin)).startAll())
        {
            assertTrue(Admin.request(cluster.address(1), "peers").startsWith("node node1 "));
            assertTrue(Admin.request(cluster.address(1), "reload").startsWith("error: READ_ONLY: "));
            assertTrue(Admin.request(cluster.address(1), "reload", new AuthProof(admin.keys()))
                .startsWith("error: node node1 runs without a config file"));
            try (TestMember alice = TestMember.connect("alice", cluster.address(1)))
            {
                alice.joinAndWait("g");
            }
        }
    }

    // ---------------------------------------------------------------- cheap refusal

    @Test
    void oneAddressCannotOpenConnectionsFasterThanItsRateAndTheRefusalsLogOncePerSecond() throws Exception
    {
        try (Cluster cluster = new Cluster(1, b -> b.connectRate(1).connectBurst(3)).startAll())
        {
            final InetSocketAddress node1 = cluster.address(1);
            for (int i = 0; i < 3; i++)
            {
                try (RawConnection c = new RawConnection(node1))
                {
                    assertEquals(FrameType.WELCOME,
                        FrameHeader.type(c.handshake(HelloFrame.ROLE_CLIENT, "c" + i, 0, 0, null), 0));
                }
            }
            for (int i = 0; i < 5; i++)
            {
                try (RawConnection c = new RawConnection(node1))
                {
                    assertEquals("RATE_LIMITED: too many connections from 127.0.0.1: over connect_rate=1/s " +
                        "(connect_burst=3) of node1; retry later", RawConnection.reason(c.readType(FrameType.REJECT,
                        3000)));
                }
            }
            // another address has a bucket of its own
            try (RawConnection c = new RawConnection(node1, new InetSocketAddress(cluster.host(9), 0)))
            {
                assertEquals(FrameType.WELCOME,
                    FrameHeader.type(c.handshake(HelloFrame.ROLE_CLIENT, "other", 0, 0, null), 0));
            }
            assertEquals(5, counter(cluster.server(1), CounterKind.REFUSED_RATE_LIMITED));
            final String logs = cluster.logs();
            final int lines = logs.split("code=RATE_LIMITED", -1).length - 1;
            assertTrue(lines >= 1 && lines < 5, "rate-limited log lines: " + lines + "\n" + logs);
        }
    }

    @Test
    void aConnectionThatDoesNotAuthenticateHasAShortDeadlineAndASmallBuffer() throws Exception
    {
        try (Cluster cluster = new Cluster(1, b -> b.authSecret(SECRET).authTimeoutMs(300)).startAll())
        {
            final long start = System.nanoTime();
            try (RawConnection c = new RawConnection(cluster.address(1)))
            {
                // HELLO offers a nonce, then nothing
                c.send(HelloFrame.encode(c.buffer, 0, HelloFrame.ROLE_CLIENT, 0, 0, "slow", new byte[32]));
                assertEquals("TIMEOUT: handshake (HELLO and AUTH) not finished within 300 ms (auth_timeout_ms=300, " +
                    "connect_timeout=60s)", RawConnection.reason(c.readType(FrameType.REJECT, 5000)));
            }
            assertTrue(System.nanoTime() - start < 4_000_000_000L, "well before connect_timeout");
            assertEquals(1, counter(cluster.server(1), CounterKind.REFUSED_TIMEOUT));
            try (RawConnection c = new RawConnection(cluster.address(1)))
            {
                // until AUTH the 4 KiB cap on what a stranger may send stays
                c.send(HelloFrame.encode(c.buffer, 0, HelloFrame.ROLE_CLIENT, 0, 0, "big", new byte[32]));
                FrameHeader.write(c.buffer, 0, 1 << 20, FrameType.AUTH, 0);
                c.send(FrameHeader.LENGTH);
                assertTrue(RawConnection.reason(c.readType(FrameType.REJECT, 3000))
                    .startsWith("OVERSIZE_FRAME: frame length 1048576 is over the 4096 bytes"));
            }
        }
    }
}
