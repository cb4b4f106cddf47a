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
    /** Cause values, as in the MEMBERSHIP frame. */
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
         * Nodes were lost: the members listed move on together. Messages that follow, until the next view, were sent
         * in the previous view; SAFE among them is known to be held by these members only.
         */
        TRANSITIONAL
    }

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
     * @return the cause.
     */
    public Cause cause()
    {
        return Cause.values()[frame.cause() - 1];
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
