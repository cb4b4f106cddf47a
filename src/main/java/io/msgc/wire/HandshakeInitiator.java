package io.msgc.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.security.SecureRandom;

/**
 * The connecting side of one handshake (a client, a console, a node dialling a peer): HELLO, then AUTH when the
 * server sends CHALLENGE, then the check of the server's proof in WELCOME. With a secret it offers a fresh nonce
 * in HELLO and accepts only a WELCOME that proves the same secret (mutual authentication); without one it speaks
 * the plain protocol and leaves a CHALLENGE unanswered, so the server's REJECT says why it refuses. One instance
 * serves one connection at a time; {@link #hello} starts a new one.
 */
public final class HandshakeInitiator
{
    private final AuthProof proof;
    private final SecureRandom random;
    private final ChallengeFrame challengeFrame = new ChallengeFrame();
    private byte[] hello;
    private byte[] challenge;
    private byte[] auth;
    private String failure;

    /**
     * @param proof  the secrets this side holds, or null for none.
     * @param random where nonces come from.
     */
    public HandshakeInitiator(final AuthProof proof, final SecureRandom random)
    {
        this.proof = proof;
        this.random = random;
    }

    /**
     * @return true when this side holds a secret.
     */
    public boolean authenticates()
    {
        return proof != null;
    }

    /**
     * Encode the HELLO of a new connection, with a fresh nonce when this side holds a secret.
     *
     * @param buffer      destination.
     * @param offset      where the frame starts.
     * @param role        a {@link HelloFrame} role.
     * @param incarnation the sender's incarnation (peers), else 0.
     * @param digest      the peers digest (peers), else 0.
     * @param name        node, private name or console label.
     * @return frame length.
     */
    public int hello(
        final MutableDirectBuffer buffer,
        final int offset,
        final int role,
        final long incarnation,
        final long digest,
        final String name)
    {
        final int length = HelloFrame.encode(buffer, offset, role, incarnation, digest, name, start());
        hello = AuthProof.copy(buffer, offset, length);
        return length;
    }

    /**
     * Encode the HELLO of a node dialling a peer ({@link HelloFrame#encodePeer}), with a fresh nonce when this
     * side holds a secret.
     *
     * @param buffer        destination.
     * @param offset        where the frame starts.
     * @param incarnation   the node's incarnation.
     * @param prefixDigests element k-1: digest of the first k entries of the peers list.
     * @param count         entries in the peers list.
     * @param name          the node's name.
     * @return frame length.
     */
    public int helloPeer(
        final MutableDirectBuffer buffer,
        final int offset,
        final long incarnation,
        final long[] prefixDigests,
        final int count,
        final String name)
    {
        final int length = HelloFrame.encodePeer(buffer, offset, incarnation, prefixDigests, count, name, start());
        hello = AuthProof.copy(buffer, offset, length);
        return length;
    }

    /** A new connection: forget the last one, and draw a nonce when this side holds a secret. */
    private byte[] start()
    {
        challenge = null;
        auth = null;
        failure = null;
        byte[] nonce = null;
        if (proof != null)
        {
            nonce = new byte[AuthProof.NONCE_LENGTH];
            random.nextBytes(nonce);
        }
        return nonce;
    }

    /**
     * A CHALLENGE arrived: write the AUTH that answers it.
     *
     * @param buffer       holding the CHALLENGE.
     * @param offset       where it starts.
     * @param length       its length.
     * @param expectedNode the node this side dialled (a peer), or null when any server will do.
     * @param out          where the AUTH goes.
     * @param outOffset    where in {@code out}.
     * @return the AUTH frame length; 0 when there is nothing to send (no secret here: the server's REJECT follows
     *         and says why); -1 when the handshake must end ({@link #failure()} says why).
     */
    public int onChallenge(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final String expectedNode,
        final MutableDirectBuffer out,
        final int outOffset)
    {
        final String error = challengeFrame.wrap(buffer, offset, length);
        if (error != null)
        {
            return fail("bad CHALLENGE: " + error);
        }
        if (hello == null || challenge != null)
        {
            return fail("unexpected CHALLENGE: " + (hello == null ? "before HELLO" : "a second one"));
        }
        if (expectedNode != null && !expectedNode.equals(challengeFrame.node()))
        {
            return fail("CHALLENGE names node '" + challengeFrame.node() + "', not " + expectedNode);
        }
        challenge = AuthProof.copy(buffer, offset, length);
        if (proof == null)
        {
            return 0;
        }
        final int authLength = AuthFrame.encodeHeader(out, outOffset, proof.keyCount());
        for (int i = 0; i < proof.keyCount(); i++)
        {
            out.putBytes(AuthFrame.proofOffset(outOffset, i), proof.connectProof(i, challenge, hello));
        }
        auth = AuthProof.copy(out, outOffset, authLength);
        return authLength;
    }

    /**
     * A WELCOME arrived: is it from a server that holds our secret?
     *
     * @param welcome a validated WELCOME.
     * @return null to accept it, else why not.
     */
    public String checkWelcome(final WelcomeFrame welcome)
    {
        if (proof == null)
        {
            return null;
        }
        if (auth == null)
        {
            return "the server did not authenticate: it answered without a CHALLENGE (it has no secret, and this " +
                "side requires one)";
        }
        if (!welcome.hasProof())
        {
            return "the server did not prove the secret: its WELCOME carries no proof";
        }
        final byte[] head =
            AuthProof.copy(welcome.buffer(), welcome.offset(), welcome.length() - AuthProof.PROOF_LENGTH);
        for (int key = 0; key < proof.keyCount(); key++)
        {
            if (AuthProof.equal(proof.acceptProof(key, challenge, hello, auth, head), welcome.buffer(),
                welcome.proofOffset()))
            {
                return null;
            }
        }
        return "the server's proof does not match this side's secret (a server with another secret, or a replayed " +
            "answer)";
    }

    /**
     * @return why the handshake failed, or null.
     */
    public String failure()
    {
        return failure;
    }

    private int fail(final String reason)
    {
        failure = reason;
        return -1;
    }
}
