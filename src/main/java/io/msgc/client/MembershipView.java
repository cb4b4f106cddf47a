package io.msgc.client;

import io.msgc.wire.MembershipFrame;

import java.util.Arrays;
import java.util.List;

/**
 * A membership message: group, view id, members in the same order at every receiver, the receiver's own index,
 * the cause and the members that joined or left.
 */
public final class MembershipView
{
    /** Cause values, as in the MEMBERSHIP frame (code = ordinal + 1), then {@link #UNKNOWN}. */
    public enum Cause
    {
        /** A member joined. */
        JOIN,
        /** A member left. */
        LEAVE,
        /** A member disconnected. */
        DISCONNECT,
        /** The set of reachable nodes changed. */
        NETWORK,
        /** This client left the group: no member list. */
        SELF_LEAVE,
        /**
         * Nodes were lost: the members listed are those moving on together to the next regular view. Messages
         * delivered between this view and the next were sent in the previous view; a SAFE message among them is
         * known to be held only by these members.
         */
        TRANSITIONAL,
        /**
         * A cause code this library does not know (a newer server): {@link #causeCode()} has the code. Never
         * sent by a server of this protocol version.
         */
        UNKNOWN
    }

    /** Causes by code - 1; cached because {@code values()} copies the array on every call. */
    private static final Cause[] CAUSES = Cause.values();

    private final MembershipFrame frame;

    MembershipView(final MembershipFrame frame)
    {
        this.frame = frame;
    }

    /**
     * @return the group.
     */
    public String group()
    {
        return frame.group();
    }

    /**
     * @return the view id.
     */
    public long viewId()
    {
        return frame.viewId();
    }

    /**
     * @return the cause; {@link Cause#UNKNOWN} for a code this library does not know (never throws).
     */
    public Cause cause()
    {
        final int code = frame.cause();
        return code >= 1 && code < CAUSES.length ? CAUSES[code - 1] : Cause.UNKNOWN;
    }

    /**
     * @return the cause code as the frame carries it (1 JOIN ... 6 TRANSITIONAL).
     */
    public int causeCode()
    {
        return frame.cause();
    }

    /**
     * @return members in view order (node order of the peers list, then private name).
     */
    public List<String> members()
    {
        return Arrays.asList(frame.members());
    }

    /**
     * @return this client's index in {@link #members()}, -1 on self-leave.
     */
    public int myIndex()
    {
        return frame.myIndex();
    }

    /**
     * @return members that joined or left.
     */
    public List<String> changed()
    {
        return Arrays.asList(frame.changed());
    }

    /** {@inheritDoc} */
    public String toString()
    {
        return "view group=" + group() + " id=" + viewId() + " cause=" + cause() + " members=" + members() +
            " me=" + myIndex() + " changed=" + changed();
    }
}
