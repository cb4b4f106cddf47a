package io.msgc.client;

import io.msgc.wire.DataFrame;
import io.msgc.wire.ServiceType;

/**
 * The argument checks of every multicast path ({@link MsgcClient} and {@link InProcessMember}): a programming error
 * throws {@link IllegalArgumentException} saying what is wrong, before anything is encoded.
 */
final class SendChecks
{
    private SendChecks()
    {
    }

    /**
     * Check a service level and 1-100 destinations.
     *
     * @param service    service word.
     * @param groups     destinations.
     * @param groupCount how many of {@code groups} to use.
     * @param checked    a destination found valid before, or null: compared by identity, so a sender that reuses
     *                   its destination Strings pays for each check once.
     * @return the last destination checked, to pass as {@code checked} next time.
     * @throws IllegalArgumentException for a bad service or destination.
     */
    static String multicast(final int service, final String[] groups, final int groupCount, final String checked)
    {
        if (!ServiceType.isValid(service))
        {
            throw new IllegalArgumentException("bad service 0x" + Integer.toHexString(service) +
                ": one ServiceType level, optionally | SELF_DISCARD");
        }
        if (groupCount < 1 || groupCount > DataFrame.MAX_DESTINATIONS)
        {
            throw new IllegalArgumentException(groupCount + " destinations; 1 to " + DataFrame.MAX_DESTINATIONS);
        }
        String last = checked;
        for (int i = 0; i < groupCount; i++)
        {
            final String g = groups[i];
            if (g != last || g == null)
            {
                if (g == null || !Names.isDestination(g))
                {
                    throw new IllegalArgumentException(Names.destinationProblem(g));
                }
                last = g;
            }
        }
        return last;
    }

    /**
     * @param frameLength  the encoded DATA frame's length.
     * @param maxFrameSize the largest frame the server takes.
     * @throws IllegalArgumentException when the frame is larger.
     */
    static void frameSize(final int frameLength, final int maxFrameSize)
    {
        if (frameLength > maxFrameSize)
        {
            throw new IllegalArgumentException("message of " + frameLength + " bytes is over max_frame_size=" +
                maxFrameSize);
        }
    }
}
