package io.msgc.server;

import io.msgc.conf.Secret;
import io.msgc.wire.AuthFrame;
import io.msgc.wire.AuthProof;
import io.msgc.wire.ChallengeFrame;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.WelcomeFrame;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.security.SecureRandom;

/**
 * The accepting side of the shared-secret handshake, for one node: CHALLENGE at accept, the decision on HELLO
 * (go on at once, wait for AUTH, or refuse), the check of AUTH, and the server's proof in WELCOME. It holds the
 * cluster secret (peers, clients, consoles) and the admin secret (consoles that may change state); a reload swaps
 * both, and the next handshake uses them. Only the handshake touches it: nothing here runs per message.
 * <p>
 * Admin access: a console that proves the admin secret may run every command; with an admin secret configured, a
 * console that proves only the cluster secret (or, on a node without a cluster secret, proves nothing) may run the
 * read-only ones. Without an admin secret the cluster secret allows every command, as no secret at all does.
 */
final class Authenticator
{
    /** {@link #onHello} and {@link #onAuth}: the handshake is done, welcome the connection. */
    static final int PROCEED = 0;
    /** {@link #onHello}: wait for the AUTH frame. */
    static final int AWAIT_AUTH = -1;

    /**
     * One connection's handshake while it is pending: what the proofs are computed over, and what it proved.
     */
    static final class Handshake
    {
        final byte[] challenge;
        byte[] hello;
        byte[] auth;
        int role;
        AuthProof proof;
        int key = -1;
        /** Admin consoles: may run commands that change state. */
        boolean mayChange = true;

        Handshake(final byte[] challenge)
        {
            this.challenge = challenge;
        }

        /**
         * @return true once HELLO asked to authenticate and AUTH is awaited.
         */
        boolean awaitingAuth()
        {
            return hello != null && auth == null;
        }
    }

    private final String node;
    private final SecureRandom random = new SecureRandom();
    private final AuthFrame authFrame = new AuthFrame();
    private AuthProof cluster;
    private AuthProof admin;
    private String reason = "";

    /**
     * @param node          this node's name, named in CHALLENGE.
     * @param clusterSecret the cluster secret, or null.
     * @param adminSecret   the admin secret, or null.
     */
    Authenticator(final String node, final Secret clusterSecret, final Secret adminSecret)
    {
        this.node = node;
        update(clusterSecret, adminSecret);
    }

    /**
     * Take new secrets (a reload): the next handshakes use them; established connections stay.
     *
     * @param clusterSecret the cluster secret, or null.
     * @param adminSecret   the admin secret, or null.
     */
    void update(final Secret clusterSecret, final Secret adminSecret)
    {
        cluster = clusterSecret == null ? null : new AuthProof(clusterSecret.keys());
        admin = adminSecret == null ? null : new AuthProof(adminSecret.keys());
    }

    /**
     * @return true when the node holds any secret: every accepted connection then gets a CHALLENGE.
     */
    boolean enabled()
    {
        return cluster != null || admin != null;
    }

    /**
     * @return the cluster secret's proofs, for this node's own dials to its peers; null without one.
     */
    AuthProof cluster()
    {
        return cluster;
    }

    /**
     * @return why the last {@link #onHello} or {@link #onAuth} refused.
     */
    String reason()
    {
        return reason;
    }

    /**
     * A connection was accepted: start its handshake and encode the CHALLENGE to send.
     *
     * @param buffer where the CHALLENGE goes.
     * @param offset where in {@code buffer}.
     * @return the handshake, or null when the node has no secret (then nothing was encoded).
     */
    Handshake challenge(final MutableDirectBuffer buffer, final int offset)
    {
        if (!enabled())
        {
            return null;
        }
        final byte[] nonce = new byte[AuthProof.NONCE_LENGTH];
        random.nextBytes(nonce);
        final int length = ChallengeFrame.encode(buffer, offset, nonce, node);
        return new Handshake(AuthProof.copy(buffer, offset, length));
    }

    /**
     * A valid HELLO arrived.
     *
     * @param handshake the connection's handshake, or null when the node had no secret at accept.
     * @param hello     the HELLO.
     * @return {@link #PROCEED}, {@link #AWAIT_AUTH}, or the {@link ErrorCode} to refuse with ({@link #reason()}).
     */
    int onHello(final Handshake handshake, final HelloFrame hello)
    {
        final int role = hello.role();
        final String who = role == HelloFrame.ROLE_PEER ? "peer" : role == HelloFrame.ROLE_CLIENT ? "client" :
            "console";
        if (hello.hasNonce())
        {
            final boolean canCheck = role == HelloFrame.ROLE_ADMIN ? cluster != null || admin != null :
                cluster != null;
            if (handshake == null || !canCheck)
            {
                reason = node + " has no auth_secret_file: it cannot check or prove the secret this " + who +
                    " offers; give the servers the same secret file, or none to this " + who;
                return ErrorCode.AUTH_FAILED;
            }
            handshake.hello = AuthProof.copy(hello.buffer(), hello.offset(), hello.length());
            handshake.role = role;
            return AWAIT_AUTH;
        }
        if (cluster != null)
        {
            reason = node + " requires authentication and this " + who + " offered none: " +
                (role == HelloFrame.ROLE_PEER ? "set auth_secret_file in msgc_server on every node" :
                role == HelloFrame.ROLE_CLIENT ? "give the client the cluster secret (auth_secret_file in " +
                "msgc_client, msgc --secret-file, or ClientConfig.Builder.secret)" :
                "run msgc with --secret-file");
            return ErrorCode.AUTH_REQUIRED;
        }
        if (handshake != null)
        {
            // a node with an admin secret only: plain peers and clients as without a secret, consoles read-only
            handshake.mayChange = admin == null;
        }
        return PROCEED;
    }

    /**
     * The AUTH frame of a handshake that awaits it.
     *
     * @param handshake the connection's handshake.
     * @param buffer    holding the AUTH frame.
     * @param offset    where it starts.
     * @param length    its length.
     * @return {@link #PROCEED}, or the {@link ErrorCode} to refuse with ({@link #reason()}).
     */
    int onAuth(final Handshake handshake, final DirectBuffer buffer, final int offset, final int length)
    {
        final String error = authFrame.wrap(buffer, offset, length);
        if (error != null)
        {
            reason = error;
            return ErrorCode.MALFORMED_FRAME;
        }
        handshake.auth = AuthProof.copy(buffer, offset, length);
        final boolean console = handshake.role == HelloFrame.ROLE_ADMIN;
        if (console && admin != null)
        {
            final int key = admin.matchConnect(handshake.challenge, handshake.hello, authFrame);
            if (key >= 0)
            {
                return proved(handshake, admin, key, true);
            }
        }
        if (cluster != null)
        {
            final int key = cluster.matchConnect(handshake.challenge, handshake.hello, authFrame);
            if (key >= 0)
            {
                return proved(handshake, cluster, key, !console || admin == null);
            }
        }
        reason = "authentication failed: the proof matches no secret of " + node +
            " (a wrong secret, or a replayed handshake)";
        return ErrorCode.AUTH_FAILED;
    }

    private static int proved(final Handshake handshake, final AuthProof proof, final int key, final boolean mayChange)
    {
        handshake.proof = proof;
        handshake.key = key;
        handshake.mayChange = mayChange;
        return PROCEED;
    }

    /**
     * @return a copy of the HELLO of a handshake that proved itself, to re-read it: the connection is welcomed
     *         only now.
     */
    static UnsafeBuffer hello(final Handshake handshake)
    {
        return new UnsafeBuffer(handshake.hello);
    }

    /**
     * Add the server's proof to an encoded WELCOME when the connection proved a secret.
     *
     * @param handshake the connection's handshake, or null.
     * @param buffer    holding the WELCOME.
     * @param offset    where it starts.
     * @param length    its length.
     * @return the WELCOME's length now.
     */
    int seal(final Handshake handshake, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (handshake == null || handshake.proof == null)
        {
            return length;
        }
        final int sealed = WelcomeFrame.addProofSpace(buffer, offset, length);
        final byte[] head = AuthProof.copy(buffer, offset, sealed - AuthProof.PROOF_LENGTH);
        buffer.putBytes(offset + sealed - AuthProof.PROOF_LENGTH,
            handshake.proof.acceptProof(handshake.key, handshake.challenge, handshake.hello, handshake.auth, head));
        return sealed;
    }
}
