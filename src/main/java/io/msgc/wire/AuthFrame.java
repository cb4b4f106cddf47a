package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * AUTH: the connecting side's answer to CHALLENGE. It proves the secret without sending it: one proof per secret the
 * side holds (its current one and, during a rotation, the previous one), so a node that has rolled to a new secret
 * and one that has not yet still find the secret they share. See {@link AuthProof} for what each proof covers.
 * <pre>
 *   8  uint8  proof count, 1..2
 *   9  uint8  reserved, 0
 *  10  uint16 reserved, 0
 *  12  count x 32 bytes: the proofs
 * </pre>
 */
public final class AuthFrame extends FrameDecoder
{
    private static final int COUNT_OFFSET = 8;
    private static final int PROOFS_OFFSET = 12;

    /**
     * @param count proofs in the frame.
     * @return the encoded length.
     */
    public static int length(final int count)
    {
        return PROOFS_OFFSET + count * AuthProof.PROOF_LENGTH;
    }

    /**
     * Encode an AUTH header for {@code count} proofs; the caller writes each at {@link #proofOffset(int, int)}.
     *
     * @param buffer destination.
     * @param offset where the frame starts.
     * @param count  proofs, 1..{@link AuthProof#MAX_KEYS}.
     * @return frame length.
     */
    public static int encodeHeader(final MutableDirectBuffer buffer, final int offset, final int count)
    {
        final int length = length(count);
        FrameHeader.write(buffer, offset, length, FrameType.AUTH, 0);
        buffer.putByte(offset + COUNT_OFFSET, (byte)count);
        buffer.putByte(offset + COUNT_OFFSET + 1, (byte)0);
        buffer.putShort(offset + COUNT_OFFSET + 2, (short)0, LITTLE_ENDIAN);
        return length;
    }

    /**
     * @param offset where the frame starts.
     * @param i      proof index.
     * @return offset of proof {@code i}.
     */
    public static int proofOffset(final int offset, final int i)
    {
        return offset + PROOFS_OFFSET + i * AuthProof.PROOF_LENGTH;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        if (length < PROOFS_OFFSET)
        {
            return "AUTH too short: " + length + " bytes";
        }
        final int count = count();
        if (count < 1 || count > AuthProof.MAX_KEYS)
        {
            return "AUTH has " + count + " proofs; 1 to " + AuthProof.MAX_KEYS + " allowed";
        }
        if (length != length(count))
        {
            return "AUTH length " + length + " does not match its " + count + " proof(s): " + length(count) +
                " bytes expected";
        }
        return null;
    }

    /**
     * @return the number of proofs.
     */
    public int count()
    {
        return buffer.getByte(offset + COUNT_OFFSET) & 0xFF;
    }

    /**
     * @param i proof index.
     * @return offset of proof {@code i} in {@link #buffer()}.
     */
    public int proofOffset(final int i)
    {
        return proofOffset(offset, i);
    }
}
