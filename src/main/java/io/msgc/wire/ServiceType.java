package io.msgc.wire;

import java.util.Locale;

/**
 * Service level bits of a DATA frame, with Spread's names and values.
 * One level bit is set; {@link #SELF_DISCARD} may be or-ed in.
 */
public final class ServiceType
{
    /** May be dropped under back-pressure. */
    public static final int UNRELIABLE = 0x01;
    /** Delivered while the links on the path stay up, in no particular order. */
    public static final int RELIABLE = 0x02;
    /** Per-sender order at every receiver (the default). */
    public static final int FIFO = 0x04;
    /** Causal order; delivered FIFO until total order exists (see README). */
    public static final int CAUSAL = 0x08;
    /** Total order; delivered FIFO until total order exists (see README). */
    public static final int AGREED = 0x10;
    /** Total order and stability; delivered FIFO until total order exists (see README). */
    public static final int SAFE = 0x20;
    /** Do not deliver a copy to the sender itself. */
    public static final int SELF_DISCARD = 0x40;

    /** Mask of the level bits. */
    public static final int LEVEL_MASK = 0x3F;

    private ServiceType()
    {
    }

    /**
     * @param service service word of a DATA frame.
     * @return true when exactly one level bit is set and no unknown bit.
     */
    public static boolean isValid(final int service)
    {
        final int level = service & LEVEL_MASK;
        return (service & ~(LEVEL_MASK | SELF_DISCARD)) == 0 && level != 0 && (level & (level - 1)) == 0;
    }

    /**
     * @param service service word.
     * @return true when the sender wants no copy.
     */
    public static boolean isSelfDiscard(final int service)
    {
        return (service & SELF_DISCARD) != 0;
    }

    /**
     * @param service service word.
     * @return true when the message may be dropped under back-pressure.
     */
    public static boolean isUnreliable(final int service)
    {
        return (service & LEVEL_MASK) == UNRELIABLE;
    }

    /**
     * @param service a service word.
     * @return true for CAUSAL, AGREED and SAFE: the levels the sequencer puts in one total order.
     */
    public static boolean isOrdered(final int service)
    {
        return (service & (CAUSAL | AGREED | SAFE)) != 0;
    }

    /**
     * @param service a service word.
     * @return true for SAFE: delivered once every node of the view holds it.
     */
    public static boolean isSafe(final int service)
    {
        return (service & SAFE) != 0;
    }

    /**
     * @param service service word.
     * @return the level's name, e.g. {@code FIFO}, with {@code |SELF_DISCARD} when set.
     */
    public static String name(final int service)
    {
        final String level;
        switch (service & LEVEL_MASK)
        {
            case UNRELIABLE: level = "UNRELIABLE"; break;
            case RELIABLE: level = "RELIABLE"; break;
            case FIFO: level = "FIFO"; break;
            case CAUSAL: level = "CAUSAL"; break;
            case AGREED: level = "AGREED"; break;
            case SAFE: level = "SAFE"; break;
            default: level = "0x" + Integer.toHexString(service & LEVEL_MASK);
        }
        return isSelfDiscard(service) ? level + "|SELF_DISCARD" : level;
    }

    /**
     * Parse a level name as written on command lines.
     *
     * @param name e.g. {@code fifo}, {@code AGREED}.
     * @return the level bit.
     * @throws IllegalArgumentException naming the valid choices.
     */
    public static int parse(final String name)
    {
        switch (name.toUpperCase(Locale.ROOT))
        {
            case "UNRELIABLE": return UNRELIABLE;
            case "RELIABLE": return RELIABLE;
            case "FIFO": return FIFO;
            case "CAUSAL": return CAUSAL;
            case "AGREED": return AGREED;
            case "SAFE": return SAFE;
            default: throw new IllegalArgumentException(
                "unknown service '" + name + "'; valid: UNRELIABLE, RELIABLE, FIFO, CAUSAL, AGREED, SAFE");
        }
    }
}
