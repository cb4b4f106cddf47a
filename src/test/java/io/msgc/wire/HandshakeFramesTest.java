package io.msgc.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The handshake frames byte by byte (as PROTOCOL.md documents them), and the proofs: a connecting side and a
 * stand-in server in memory, with the right secret, a wrong one, a rotated one, and replays.
 */
class HandshakeFramesTest
{
    private static final byte[] SECRET = "correct horse battery staple".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER = "an entirely different secret".getBytes(StandardCharsets.US_ASCII);

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);

    @Test
    void challengeLayout()
    {
        final byte[] nonce = new byte[AuthProof.NONCE_LENGTH];
        new Random(1).nextBytes(nonce);
        final int length = ChallengeFrame.encode(buffer, 0, nonce, "node2");
        assertEquals(8 + 4 + 32 + 1 + 5, length);
        assertEquals(FrameType.CHALLENGE, FrameHeader.type(buffer, 0));
        assertEquals(length, FrameHeader.frameLength(buffer, 0));
        assertEquals(1, buffer.getByte(8)); // HMAC-SHA256
        final byte[] got = new byte[32];
        buffer.getBytes(12, got);
        assertArrayEquals(nonce, got);
        assertEquals(5, buffer.getByte(44));
        final ChallengeFrame challenge = new ChallengeFrame();
        assertNull(challenge.wrap(buffer, 0, length));
        assertEquals("node2", challenge.node());
        assertEquals(12, challenge.nonceOffset());
        buffer.putByte(8, (byte)2);
        assertEquals("CHALLENGE has unknown algorithm 2 (1 HMAC-SHA256)", challenge.wrap(buffer, 0, length));
        buffer.putByte(8, (byte)1);
        assertEquals("CHALLENGE node name length does not match the frame length", challenge.wrap(buffer, 0, length - 1));
        assertEquals("CHALLENGE too short: 44 bytes, need at least 45", challenge.wrap(buffer, 0, 44));
    }

    @Test
    void authLayout()
    {
        final int length = AuthFrame.encodeHeader(buffer, 0, 2);
        assertEquals(12 + 64, length);
        assertEquals(FrameType.AUTH, FrameHeader.type(buffer, 0));
        assertEquals(2, buffer.getByte(8));
        assertEquals(12, AuthFrame.proofOffset(0, 0));
        assertEquals(44, AuthFrame.proofOffset(0, 1));
        final AuthFrame auth = new AuthFrame();
        assertNull(auth.wrap(buffer, 0, length));
        assertEquals(2, auth.count());
        assertEquals("AUTH length 44 does not match its 2 proof(s): 76 bytes expected", auth.wrap(buffer, 0, 44));
        buffer.putByte(8, (byte)3);
        assertEquals("AUTH has 3 proofs; 1 to 2 allowed", auth.wrap(buffer, 0, length));
        buffer.putByte(8, (byte)0);
        assertEquals("AUTH has 0 proofs; 1 to 2 allowed", auth.wrap(buffer, 0, length));
    }

    @Test
    void helloOffersANonceAndWelcomeCarriesAProof()
    {
        final byte[] nonce = new byte[AuthProof.NONCE_LENGTH];
        nonce[0] = 7;
        final int length = HelloFrame.encode(buffer, 0, HelloFrame.ROLE_CLIENT, 0, 0, "alice", nonce);
        assertEquals(29 + 5 + 32, length);
        assertEquals(HelloFrame.AUTH_HMAC_SHA256, buffer.getByte(9));
        final HelloFrame hello = new HelloFrame();
        assertNull(hello.wrap(buffer, 0, length));
        assertTrue(hello.hasNonce());
        assertEquals("alice", hello.name());
        assertEquals(34, hello.nonceOffset());
        assertEquals(7, buffer.getByte(hello.nonceOffset()));
        assertEquals("HELLO name and nonce lengths do not match the frame length", hello.wrap(buffer, 0, length - 1));
        buffer.putByte(9, (byte)5);
        assertEquals("HELLO has unknown auth 5 (0 none, 1 HMAC-SHA256)", hello.wrap(buffer, 0, length));
        // without a nonce: byte 9 is 0, as the reserved byte always was
        final int plain = HelloFrame.encode(buffer, 0, HelloFrame.ROLE_CLIENT, 0, 0, "alice");
        assertNull(hello.wrap(buffer, 0, plain));
        assertFalse(hello.hasNonce());

        int welcome = WelcomeFrame.encode(buffer, 0, 1, 0, 1 << 20, "node1", "#alice#node1");
        final int sealed = WelcomeFrame.addProofSpace(buffer, 0, welcome);
        assertEquals(welcome + 32, sealed);
        assertEquals(sealed, FrameHeader.frameLength(buffer, 0));
        assertEquals(1, buffer.getShort(18, java.nio.ByteOrder.LITTLE_ENDIAN));
        final WelcomeFrame frame = new WelcomeFrame();
        assertNull(frame.wrap(buffer, 0, sealed));
        assertTrue(frame.hasProof());
        assertEquals("#alice#node1", frame.memberId());
        assertEquals(sealed - 32, frame.proofOffset());
        welcome = WelcomeFrame.encode(buffer, 0, 1, 0, 1 << 20, "node1", "#alice#node1");
        assertNull(frame.wrap(buffer, 0, welcome));
        assertFalse(frame.hasProof());
    }

    @Test
    void theProofsAreHmacSha256OverTheTranscriptWithALabel() throws Exception
    {
        final byte[] challenge = {1, 2, 3};
        final byte[] hello = {4, 5};
        final javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(SECRET, "HmacSHA256"));
        mac.update("msgc-auth-1 connect".getBytes(StandardCharsets.US_ASCII));
        mac.update(challenge);
        mac.update(hello);
        assertArrayEquals(mac.doFinal(), new AuthProof(SECRET).connectProof(0, challenge, hello));
        mac.update("msgc-auth-1 accept".getBytes(StandardCharsets.US_ASCII));
        mac.update(challenge);
        mac.update(hello);
        mac.update(new byte[]{6});
        mac.update(new byte[]{7, 8});
        assertArrayEquals(mac.doFinal(),
            new AuthProof(SECRET).acceptProof(0, challenge, hello, new byte[]{6}, new byte[]{7, 8}));
    }

    @Test
    void aHandshakeWithTheSecretSucceedsBothWays()
    {
        final Server server = new Server(new AuthProof(SECRET));
        final HandshakeInitiator client = new HandshakeInitiator(new AuthProof(SECRET), new SecureRandom());
        assertNull(server.run(client, "node1"));
    }

    @Test
    void aWrongSecretIsRefusedByTheServerAndAWrongServerByTheClient()
    {
        assertEquals("server: no proof matches",
            new Server(new AuthProof(SECRET)).run(new HandshakeInitiator(new AuthProof(OTHER), new SecureRandom()),
            "node1"));
        // a server that got the client's AUTH accepted without checking it still cannot prove the secret
        final Server impostor = new Server(new AuthProof(OTHER));
        impostor.acceptAnything = true;
        assertEquals("client: the server's proof does not match this side's secret (a server with another " +
            "secret, or a replayed answer)",
            impostor.run(new HandshakeInitiator(new AuthProof(SECRET), new SecureRandom()), "node1"));
    }

    @Test
    void duringARotationEitherSecretOnEitherSideIsEnough()
    {
        final AuthProof rolled = new AuthProof(OTHER, SECRET);
        assertNull(new Server(rolled).run(new HandshakeInitiator(new AuthProof(SECRET), new SecureRandom()), "n"));
        assertNull(new Server(new AuthProof(SECRET)).run(new HandshakeInitiator(rolled, new SecureRandom()), "n"));
        assertNull(new Server(new AuthProof(OTHER)).run(new HandshakeInitiator(rolled, new SecureRandom()), "n"));
    }

    @Test
    void aRecordedProofIsWorthlessOnAnotherConnection()
    {
        final Server first = new Server(new AuthProof(SECRET));
        assertNull(first.run(new HandshakeInitiator(new AuthProof(SECRET), new SecureRandom()), "node1"));
        // the attacker replays the recorded HELLO and AUTH against a fresh challenge
        final Server second = new Server(new AuthProof(SECRET));
        final byte[] challenge = second.challenge("node1");
        final AuthFrame auth = new AuthFrame();
        assertNull(auth.wrap(new UnsafeBuffer(first.auth), 0, first.auth.length));
        assertEquals(-1, second.proof.matchConnect(challenge, first.hello, auth));
        // and a recorded WELCOME (the server's answer) does not fool a client whose nonce is new
        final HandshakeInitiator client = new HandshakeInitiator(new AuthProof(SECRET), new SecureRandom());
        final int helloLength = client.hello(buffer, 0, HelloFrame.ROLE_CLIENT, 0, 0, "alice");
        assertNotEquals(0, helloLength);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[256]);
        assertTrue(client.onChallenge(new UnsafeBuffer(first.challenge), 0, first.challenge.length, null, out, 0) > 0);
        final WelcomeFrame welcome = new WelcomeFrame();
        assertNull(welcome.wrap(new UnsafeBuffer(first.welcome), 0, first.welcome.length));
        assertEquals("the server's proof does not match this side's secret (a server with another secret, or a " +
            "replayed answer)", client.checkWelcome(welcome));
    }

    @Test
    void aClientWithASecretRefusesAServerThatDoesNotChallenge()
    {
        final HandshakeInitiator client = new HandshakeInitiator(new AuthProof(SECRET), new SecureRandom());
        client.hello(buffer, 0, HelloFrame.ROLE_CLIENT, 0, 0, "alice");
        final int length = WelcomeFrame.encode(buffer, 0, 1, 0, 1 << 20, "node1", "#alice#node1");
        final WelcomeFrame welcome = new WelcomeFrame();
        assertNull(welcome.wrap(buffer, 0, length));
        assertEquals("the server did not authenticate: it answered without a CHALLENGE (it has no secret, and this " +
            "side requires one)", client.checkWelcome(welcome));
        // without a secret: the plain protocol, a CHALLENGE is left to the server's REJECT
        final HandshakeInitiator plain = new HandshakeInitiator(null, new SecureRandom());
        plain.hello(buffer, 0, HelloFrame.ROLE_CLIENT, 0, 0, "alice");
        assertNull(plain.checkWelcome(welcome));
        final UnsafeBuffer challenge = new UnsafeBuffer(new byte[128]);
        final int challengeLength = ChallengeFrame.encode(challenge, 0, new byte[32], "node1");
        assertEquals(0, plain.onChallenge(challenge, 0, challengeLength, null, buffer, 512));
    }

    @Test
    void aPeerChecksTheChallengeNamesTheNodeItDialled()
    {
        final HandshakeInitiator peer = new HandshakeInitiator(new AuthProof(SECRET), new SecureRandom());
        peer.hello(buffer, 0, HelloFrame.ROLE_PEER, 5, 6, "node1");
        final UnsafeBuffer challenge = new UnsafeBuffer(new byte[128]);
        final int length = ChallengeFrame.encode(challenge, 0, new byte[32], "node3");
        assertEquals(-1, peer.onChallenge(challenge, 0, length, "node2", buffer, 512));
        assertEquals("CHALLENGE names node 'node3', not node2", peer.failure());
    }

    /** A stand-in for the server side, the same steps as the server's Authenticator. */
    private static final class Server
    {
        final AuthProof proof;
        final SecureRandom random = new SecureRandom();
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[512]);
        boolean acceptAnything;
        byte[] challenge;
        byte[] hello;
        byte[] auth;
        byte[] welcome;

        Server(final AuthProof proof)
        {
            this.proof = proof;
        }

        byte[] challenge(final String node)
        {
            final byte[] nonce = new byte[AuthProof.NONCE_LENGTH];
            random.nextBytes(nonce);
            final int length = ChallengeFrame.encode(scratch, 0, nonce, node);
            challenge = AuthProof.copy(scratch, 0, length);
            return challenge;
        }

        /** @return null when both sides accepted, else who refused and why. */
        String run(final HandshakeInitiator client, final String node)
        {
            final UnsafeBuffer wire = new UnsafeBuffer(new byte[512]);
            final int helloLength = client.hello(wire, 0, HelloFrame.ROLE_CLIENT, 0, 0, "alice");
            hello = AuthProof.copy(wire, 0, helloLength);
            challenge(node);
            final int authLength = client.onChallenge(new UnsafeBuffer(challenge), 0, challenge.length, null, wire, 0);
            if (authLength <= 0)
            {
                return "client: " + client.failure();
            }
            auth = AuthProof.copy(wire, 0, authLength);
            final AuthFrame frame = new AuthFrame();
            assertNull(frame.wrap(wire, 0, authLength));
            int key = proof.matchConnect(challenge, hello, frame);
            if (key < 0 && !acceptAnything)
            {
                return "server: no proof matches";
            }
            key = Math.max(key, 0);
            int length = WelcomeFrame.encode(wire, 0, 1, 0, 1 << 20, node, "#alice#" + node);
            length = WelcomeFrame.addProofSpace(wire, 0, length);
            final byte[] head = AuthProof.copy(wire, 0, length - AuthProof.PROOF_LENGTH);
            wire.putBytes(length - AuthProof.PROOF_LENGTH, proof.acceptProof(key, challenge, hello, auth, head));
            welcome = AuthProof.copy(wire, 0, length);
            final WelcomeFrame welcomeFrame = new WelcomeFrame();
            assertNull(welcomeFrame.wrap(wire, 0, length));
            final String refused = client.checkWelcome(welcomeFrame);
            return refused == null ? null : "client: " + refused;
        }
    }
}
