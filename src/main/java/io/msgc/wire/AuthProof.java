package io.msgc.wire;

import org.agrona.DirectBuffer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The proofs of the shared-secret handshake: HMAC-SHA256 (the JDK's {@code javax.crypto.Mac}) keyed with a secret,
 * over the handshake transcript, the frames exactly as sent:
 * <pre>
 *   connecting side (AUTH):   HMAC(secret, "msgc-auth-1 connect" || CHALLENGE || HELLO)
 *   accepting side (WELCOME): HMAC(secret, "msgc-auth-1 accept"  || CHALLENGE || HELLO || AUTH || WELCOME without
 *                                                                     its last 32 bytes, the proof itself)
 * </pre>
 * CHALLENGE carries the server's fresh nonce and HELLO the connecting side's, so no proof is valid on any other
 * connection: a recorded handshake cannot be replayed in either direction. The two labels keep one side's proof
 * from ever serving as the other's. Every frame starts with its own length, so the concatenation is unambiguous.
 * <p>
 * One instance holds one {@link Mac} per secret (the current one and, during a rotation, the previous one) and is
 * used by one thread; the handshake path may allocate.
 */
public final class AuthProof
{
    /** Bytes of a nonce, in CHALLENGE and HELLO. */
    public static final int NONCE_LENGTH = 32;
    /** Bytes of a proof (an HMAC-SHA256 output). */
    public static final int PROOF_LENGTH = 32;
    /** Most secrets one side holds at once: the current one and the previous one. */
    public static final int MAX_KEYS = 2;

    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] CONNECT_LABEL = "msgc-auth-1 connect".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ACCEPT_LABEL = "msgc-auth-1 accept".getBytes(StandardCharsets.US_ASCII);

    private final Mac[] macs;

    /**
     * @param keys 1 or 2 secrets, current first; none empty.
     * @throws IllegalArgumentException on no key, more than {@link #MAX_KEYS}, or an empty one.
     */
    public AuthProof(final byte[]... keys)
    {
        if (keys.length < 1 || keys.length > MAX_KEYS)
        {
            throw new IllegalArgumentException("1 to " + MAX_KEYS + " secrets, got " + keys.length);
        }
        macs = new Mac[keys.length];
        for (int i = 0; i < keys.length; i++)
        {
            if (keys[i].length == 0)
            {
                throw new IllegalArgumentException("empty secret");
            }
            try
            {
                macs[i] = Mac.getInstance(ALGORITHM);
                macs[i].init(new SecretKeySpec(keys[i], ALGORITHM));
            }
            catch (final GeneralSecurityException ex)
            {
                throw new IllegalStateException("this JVM has no " + ALGORITHM + ": " + ex, ex);
            }
        }
    }

    /**
     * @return the number of secrets held.
     */
    public int keyCount()
    {
        return macs.length;
    }

    /**
     * The connecting side's proof with one secret.
     *
     * @param key       secret index.
     * @param challenge the CHALLENGE frame as received.
     * @param hello     the HELLO frame as sent.
     * @return the proof.
     */
    public byte[] connectProof(final int key, final byte[] challenge, final byte[] hello)
    {
        final Mac mac = macs[key];
        mac.update(CONNECT_LABEL);
        mac.update(challenge);
        mac.update(hello);
        return mac.doFinal();
    }

    /**
     * The accepting side's proof with one secret.
     *
     * @param key         secret index.
     * @param challenge   the CHALLENGE frame.
     * @param hello       the HELLO frame.
     * @param auth        the AUTH frame.
     * @param welcomeHead the WELCOME frame without its last {@link #PROOF_LENGTH} bytes.
     * @return the proof.
     */
    public byte[] acceptProof(
        final int key, final byte[] challenge, final byte[] hello, final byte[] auth, final byte[] welcomeHead)
    {
        final Mac mac = macs[key];
        mac.update(ACCEPT_LABEL);
        mac.update(challenge);
        mac.update(hello);
        mac.update(auth);
        mac.update(welcomeHead);
        return mac.doFinal();
    }

    /**
     * Which of the secrets a received AUTH proves.
     *
     * @param challenge the CHALLENGE frame sent.
     * @param hello     the HELLO frame received.
     * @param auth      a validated AUTH frame (flyweight over the received bytes).
     * @return the index of the first secret one of its proofs matches, or -1.
     */
    public int matchConnect(final byte[] challenge, final byte[] hello, final AuthFrame auth)
    {
        for (int key = 0; key < macs.length; key++)
        {
            final byte[] expected = connectProof(key, challenge, hello);
            for (int i = 0; i < auth.count(); i++)
            {
                if (equal(expected, auth.buffer(), auth.proofOffset(i)))
                {
                    return key;
                }
            }
        }
        return -1;
    }

    /**
     * Compare a proof in constant time.
     *
     * @param expected the proof computed.
     * @param buffer   holding the proof received.
     * @param offset   where it starts.
     * @return true when equal.
     */
    public static boolean equal(final byte[] expected, final DirectBuffer buffer, final int offset)
    {
        final byte[] received = new byte[PROOF_LENGTH];
        buffer.getBytes(offset, received);
        return MessageDigest.isEqual(expected, received);
    }

    /**
     * @param buffer holding a frame.
     * @param offset where it starts.
     * @param length how many bytes.
     * @return a copy of the bytes, for the transcript.
     */
    public static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }
}
