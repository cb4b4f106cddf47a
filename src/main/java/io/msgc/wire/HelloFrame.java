package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * HELLO: the first frame of every connection.
 * <pre>
 *   8  uint8  role (1 peer, 2 client, 3 admin)
 *   9  uint8  auth: 0 none, 1 HMAC-SHA256 (the sender holds a secret; its nonce follows the name)
 *  10  uint16 reserved
 *  12  int64  incarnation (peers: changes at every restart; clients/admin: 0)
 *  20  int64  config digest (peers: digest of the peers list; others: 0)
 *  28  uint8  name length, then the name (peer: node name; client: private name; admin: anything)
 *  ..  peers only, optional: uint8 n, then n int64: the digest of the first 1, 2, ... n entries of the sender's
 *      peers list (n entries in all), so a node whose list is longer or shorter can check that the common part
 *      is the same (a rolling change of the list: nodes appended or dropped at its end)
 *  ..  32 bytes: the sender's nonce, with auth 1 only: always the last 32 bytes of the frame
 * </pre>
 * A sender with a secret offers a fresh random nonce, so the server's proof in WELCOME is new for every
 * connection (see {@link AuthProof}).
 */
public final class HelloFrame extends FrameDecoder
{
    /** Role of a server dialling a peer. */
    public static final int ROLE_PEER = 1;
    /** Role of a client library connection. */
    public static final int ROLE_CLIENT = 2;
    /** Role of the admin console. */
    public static final int ROLE_ADMIN = 3;

    /** No authentication offered. */
    public static final int AUTH_NONE = 0;
    /** HMAC-SHA256 challenge-response; a {@link AuthProof#NONCE_LENGTH}-byte nonce follows the name. */
    public static final int AUTH_HMAC_SHA256 = 1;

    private static final int ROLE_OFFSET = 8;
    private static final int AUTH_OFFSET = 9;
    private static final int INCARNATION_OFFSET = 12;
    private static final int DIGEST_OFFSET = 20;
    private static final int NAME_OFFSET = 28;

    /**
     * Encode a HELLO.
     *
     * @param buffer      destination.
     * @param offset      where the frame starts.
     * @param role        one of the ROLE constants.
     * @param incarnation sender incarnation.
     * @param digest      config digest.
     * @param name        node or private name.
     * @return frame length.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int role,
        final long incarnation,
        final long digest,
        final String name)
    {
        return encode(buffer, offset, role, incarnation, digest, name, null);
    }

    /**
     * Encode a HELLO that offers authentication when {@code nonce} is given.
     *
     * @param buffer      destination.
     * @param offset      where the frame starts.
     * @param role        one of the ROLE constants.
     * @param incarnation sender incarnation.
     * @param digest      config digest.
     * @param name        node or private name.
     * @param nonce       the sender's {@link AuthProof#NONCE_LENGTH}-byte nonce, or null for no authentication.
     * @return frame length.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int role,
        final long incarnation,
        final long digest,
        final String name,
        final byte[] nonce)
    {
        final int nameEnd = NAME_OFFSET + 1 + name.length();
        final int length = nameEnd + (nonce == null ? 0 : AuthProof.NONCE_LENGTH);
        FrameHeader.write(buffer, offset, length, FrameType.HELLO, 0);
        buffer.putByte(offset + ROLE_OFFSET, (byte)role);
        buffer.putByte(offset + AUTH_OFFSET, (byte)(nonce == null ? AUTH_NONE : AUTH_HMAC_SHA256));
        buffer.putShort(offset + ROLE_OFFSET + 2, (short)0, LITTLE_ENDIAN);
        buffer.putLong(offset + INCARNATION_OFFSET, incarnation, LITTLE_ENDIAN);
        buffer.putLong(offset + DIGEST_OFFSET, digest, LITTLE_ENDIAN);
        buffer.putByte(offset + NAME_OFFSET, (byte)name.length());
        buffer.putStringWithoutLengthAscii(offset + NAME_OFFSET + 1, name);
        if (nonce != null)
        {
            buffer.putBytes(offset + nameEnd, nonce, 0, AuthProof.NONCE_LENGTH);
        }
        return length;
    }

    /**
     * Encode a peer's HELLO with the digests of every prefix of its peers list.
     *
     * @param buffer         destination.
     * @param offset         where the frame starts.
     * @param incarnation    sender incarnation.
     * @param prefixDigests  element k-1: digest of the first k entries of the peers list.
     * @param count          entries in the peers list (at most 255).
     * @param name           node name.
     * @return frame length.
     */
    public static int encodePeer(
        final MutableDirectBuffer buffer,
        final int offset,
        final long incarnation,
        final long[] prefixDigests,
        final int count,
        final String name)
    {
        return encodePeer(buffer, offset, incarnation, prefixDigests, count, name, null);
    }

    /**
     * Encode a peer's HELLO with the digests of every prefix of its peers list, offering authentication when
     * {@code nonce} is given (the nonce then ends the frame).
     *
     * @param buffer         destination.
     * @param offset         where the frame starts.
     * @param incarnation    sender incarnation.
     * @param prefixDigests  element k-1: digest of the first k entries of the peers list.
     * @param count          entries in the peers list (at most 255).
     * @param name           node name.
     * @param nonce          the sender's {@link AuthProof#NONCE_LENGTH}-byte nonce, or null.
     * @return frame length.
     */
    public static int encodePeer(
        final MutableDirectBuffer buffer,
        final int offset,
        final long incarnation,
        final long[] prefixDigests,
        final int count,
        final String name,
        final byte[] nonce)
    {
        final int at = encode(buffer, offset, ROLE_PEER, incarnation, prefixDigests[count - 1], name);
        int length = at + 1 + 8 * count;
        buffer.putByte(offset + at, (byte)count);
        for (int i = 0; i < count; i++)
        {
            buffer.putLong(offset + at + 1 + 8 * i, prefixDigests[i], LITTLE_ENDIAN);
        }
        if (nonce != null)
        {
            buffer.putByte(offset + AUTH_OFFSET, (byte)AUTH_HMAC_SHA256);
            buffer.putBytes(offset + length, nonce, 0, AuthProof.NONCE_LENGTH);
            length += AuthProof.NONCE_LENGTH;
        }
        FrameHeader.write(buffer, offset, length, FrameType.HELLO, 0);
        return length;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        if (length < NAME_OFFSET + 1)
        {
            return "HELLO too short: " + length + " bytes, need at least " + (NAME_OFFSET + 1);
        }
        final int role = role();
        if (role != ROLE_PEER && role != ROLE_CLIENT && role != ROLE_ADMIN)
        {
            return "HELLO has unknown role " + role + " (1 peer, 2 client, 3 admin)";
        }
        final int auth = auth();
        if (auth != AUTH_NONE && auth != AUTH_HMAC_SHA256)
        {
            return "HELLO has unknown auth " + auth + " (0 none, 1 HMAC-SHA256)";
        }
        final int nameLength = shortStringLength(offset + NAME_OFFSET);
        final int nonceLength = auth == AUTH_NONE ? 0 : AuthProof.NONCE_LENGTH;
        final int rest = nameLength < 0 ? -1 : length - (NAME_OFFSET + 1 + nameLength) - nonceLength;
        if (rest < 0)
        {
            return auth == AUTH_NONE ? "HELLO name length does not match the frame length" :
                "HELLO name and nonce lengths do not match the frame length";
        }
        if (rest != 0 && (role != ROLE_PEER || rest != 1 + 8 * prefixCount()))
        {
            return role != ROLE_PEER ? "HELLO name length does not match the frame length" :
                "HELLO peers-list digests do not match the frame length";
        }
        return null;
    }

    private int listAt()
    {
        return offset + NAME_OFFSET + 1 + nameLength();
    }

    /**
     * @return entries in the sender's peers list, or 0 when the HELLO does not say (then only {@link #digest()},
     *         of the whole list, is known).
     */
    public int prefixCount()
    {
        return listAt() < listEnd() ? buffer.getByte(listAt()) & 0xFF : 0;
    }

    /** End of the peers-list digests: the nonce, when there is one, ends the frame. */
    private int listEnd()
    {
        return offset + length - (hasNonce() ? AuthProof.NONCE_LENGTH : 0);
    }

    /**
     * @param count 1..{@link #prefixCount()}.
     * @return the digest of the first {@code count} entries of the sender's peers list.
     */
    public long prefixDigest(final int count)
    {
        return buffer.getLong(listAt() + 1 + 8 * (count - 1), LITTLE_ENDIAN);
    }

    /**
     * @return {@link #AUTH_NONE} or {@link #AUTH_HMAC_SHA256}.
     */
    public int auth()
    {
        return buffer.getByte(offset + AUTH_OFFSET) & 0xFF;
    }

    /**
     * @return true when the sender offers authentication (it holds a secret and sent a nonce).
     */
    public boolean hasNonce()
    {
        return auth() == AUTH_HMAC_SHA256;
    }

    /**
     * @return offset of the sender's nonce; valid when {@link #hasNonce()}.
     */
    public int nonceOffset()
    {
        return offset + length - AuthProof.NONCE_LENGTH;
    }

    /**
     * @return role of the sender.
     */
    public int role()
    {
        return buffer.getByte(offset + ROLE_OFFSET) & 0xFF;
    }

    /**
     * @return sender incarnation.
     */
    public long incarnation()
    {
        return buffer.getLong(offset + INCARNATION_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return sender config digest.
     */
    public long digest()
    {
        return buffer.getLong(offset + DIGEST_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return offset of the name bytes.
     */
    public int nameOffset()
    {
        return offset + NAME_OFFSET + 1;
    }

    /**
     * @return length of the name.
     */
    public int nameLength()
    {
        return buffer.getByte(offset + NAME_OFFSET) & 0xFF;
    }

    /**
     * @return the name as a String (allocates; handshake path).
     */
    public String name()
    {
        return shortString(offset + NAME_OFFSET);
    }
}
