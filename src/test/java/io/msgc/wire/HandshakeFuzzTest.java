package io.msgc.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded fuzzing of the handshake decoders (CHALLENGE, AUTH, HELLO with a nonce, WELCOME with a proof) and of the
 * connecting side fed with them: random frames and mutations of valid ones, each in a buffer of exactly its size.
 * Every input is either refused with a reason or decodes to fields that read without an exception (none reads past
 * the frame); nothing throws, nothing hangs (bounded in time).
 */
class HandshakeFuzzTest
{
    private static final long SEED = 0x5eed_11L;
    private static final long BUDGET_NS = 3_000_000_000L;
    private static final byte[] SECRET = "fuzzing secret, 16+ chars".getBytes(StandardCharsets.US_ASCII);

    private final ChallengeFrame challenge = new ChallengeFrame();
    private final AuthFrame auth = new AuthFrame();
    private final HelloFrame hello = new HelloFrame();
    private final WelcomeFrame welcome = new WelcomeFrame();

    @Test
    void randomAndMutatedFramesNeverThrow()
    {
        final Random random = new Random(SEED);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[1024]);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1024]);
        final byte[][] seeds = validFrames();
        final long deadline = System.nanoTime() + BUDGET_NS;
        int accepted = 0;
        int cases = 0;
        while (cases < 200_000 && System.nanoTime() - deadline < 0)
        {
            cases++;
            final int length;
            if (random.nextInt(4) == 0)
            {
                // random bytes with a plausible header
                length = random.nextInt(200);
                for (int i = 0; i < length; i++)
                {
                    frame.putByte(i, (byte)random.nextInt(256));
                }
            }
            else
            {
                final byte[] seed = seeds[random.nextInt(seeds.length)];
                frame.putBytes(0, seed);
                final int mutations = 1 + random.nextInt(4);
                int len = seed.length;
                for (int m = 0; m < mutations; m++)
                {
                    switch (random.nextInt(4))
                    {
                        case 0 -> frame.putByte(random.nextInt(Math.max(len, 1)), (byte)random.nextInt(256));
                        case 1 -> len = random.nextInt(len + 1);
                        case 2 -> len = Math.min(frame.capacity(), len + random.nextInt(40));
                        default -> frame.putByte(8 + random.nextInt(Math.max(1, Math.min(len, 48) - 8)),
                            (byte)(random.nextBoolean() ? 0 : 0xFF));
                    }
                }
                length = len;
            }
            if (length >= FrameHeader.LENGTH)
            {
                FrameHeader.write(frame, 0, length, FrameHeader.type(frame, 0), FrameHeader.flags(frame, 0));
            }
            // exactly the frame's bytes: a decoder that reads past the frame end throws here
            final UnsafeBuffer exact = new UnsafeBuffer(AuthProof.copy(frame, 0, length));
            accepted += decodeAll(exact, length);
            feedInitiator(random, exact, length, out);
        }
        assertTrue(cases > 1000, "ran " + cases + " cases");
        assertTrue(accepted > 0, "some mutations stay valid: " + accepted);
    }

    private int decodeAll(final UnsafeBuffer frame, final int length)
    {
        int valid = 0;
        if (challenge.wrap(frame, 0, length) == null)
        {
            valid++;
            challenge.node();
            frame.getByte(challenge.nonceOffset() + AuthProof.NONCE_LENGTH - 1);
        }
        if (auth.wrap(frame, 0, length) == null)
        {
            valid++;
            for (int i = 0; i < auth.count(); i++)
            {
                frame.getByte(auth.proofOffset(i) + AuthProof.PROOF_LENGTH - 1);
            }
        }
        if (hello.wrap(frame, 0, length) == null)
        {
            valid++;
            hello.name();
            hello.role();
            if (hello.hasNonce())
            {
                frame.getByte(hello.nonceOffset() + AuthProof.NONCE_LENGTH - 1);
            }
        }
        if (welcome.wrap(frame, 0, length) == null)
        {
            valid++;
            welcome.node();
            welcome.memberId();
            if (welcome.hasProof())
            {
                frame.getByte(welcome.proofOffset() + AuthProof.PROOF_LENGTH - 1);
            }
        }
        return valid;
    }

    private void feedInitiator(final Random random, final UnsafeBuffer frame, final int length, final UnsafeBuffer out)
    {
        final HandshakeInitiator initiator = new HandshakeInitiator(
            random.nextBoolean() ? new AuthProof(SECRET) : null, new SecureRandom());
        initiator.hello(out, 0, HelloFrame.ROLE_PEER, 1, 2, "node1");
        if (random.nextBoolean())
        {
            final UnsafeBuffer first = new UnsafeBuffer(new byte[128]);
            final int firstLength = ChallengeFrame.encode(first, 0, new byte[32], "node2");
            initiator.onChallenge(first, 0, firstLength, "node2", out, 256);
        }
        initiator.onChallenge(frame, 0, length, random.nextBoolean() ? "node2" : null, out, 512);
        if (welcome.wrap(frame, 0, length) == null)
        {
            initiator.checkWelcome(welcome);
        }
    }

    private static byte[][] validFrames()
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[512]);
        final byte[] nonce = new byte[AuthProof.NONCE_LENGTH];
        new Random(SEED).nextBytes(nonce);
        int length = ChallengeFrame.encode(b, 0, nonce, "node2");
        final byte[] challengeFrame = AuthProof.copy(b, 0, length);
        length = AuthFrame.encodeHeader(b, 0, 2);
        final byte[] authFrame = AuthProof.copy(b, 0, length);
        length = HelloFrame.encode(b, 0, HelloFrame.ROLE_CLIENT, 0, 0, "alice", nonce);
        final byte[] helloFrame = AuthProof.copy(b, 0, length);
        length = WelcomeFrame.addProofSpace(b, 0, WelcomeFrame.encode(b, 0, 1, 1, 1 << 20, "node2", "#alice#node2"));
        final byte[] welcomeFrame = AuthProof.copy(b, 0, length);
        return new byte[][]{challengeFrame, authFrame, helloFrame, welcomeFrame};
    }
}
