package io.msgc.server;

import io.msgc.wire.MembershipFrame;
import io.msgc.wire.ServiceType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checker itself, on small hand-made histories: what "no silent loss" flags and what EVS allows.
 */
class HistoryTest
{
    private static final String A = "#a#node1";
    private static final String B = "#b#node2";
    private static final List<String> BOTH = List.of(A, B);

    private static History twoMembersInOneView()
    {
        final History h = new History(new String[]{"node1", "node2"});
        h.connected(A);
        h.connected(B);
        h.requested(A, "g", true);
        h.requested(B, "g", true);
        h.view(A, "g", 10, MembershipFrame.CAUSE_JOIN, BOTH, 0);
        h.view(B, "g", 10, MembershipFrame.CAUSE_JOIN, BOTH, 1);
        return h;
    }

    private static boolean has(final List<String> problems, final String text)
    {
        return problems.stream().anyMatch(p -> p.contains(text));
    }

    @Test
    void aQuietRunWhereEveryoneGotEverythingIsClean()
    {
        final History h = twoMembersInOneView();
        h.sent(A, 1, "g", ServiceType.AGREED);
        h.data(A, A, "g", 1, ServiceType.AGREED);
        h.data(B, A, "g", 1, ServiceType.AGREED);
        assertEquals(List.of(), h.check(Set.of(A, B)));
    }

    @Test
    void aSenderThatStaysAndNeverGetsItsOwnMessageIsASilentLoss()
    {
        final History h = twoMembersInOneView();
        h.sent(A, 1, "g", ServiceType.FIFO);
        final List<String> problems = h.check(Set.of(A, B));
        assertTrue(has(problems, "silent loss: " + A + " sent " + A + "/1 FIFO to g as a member"), problems::toString);
    }

    @Test
    void aSenderThatLeavesOrGoesAwayMayLoseItsMessage()
    {
        final History left = twoMembersInOneView();
        left.sent(A, 1, "g", ServiceType.FIFO);
        left.requested(A, "g", false);
        left.view(A, "g", 11, MembershipFrame.CAUSE_SELF_LEAVE, List.of(), -1);
        left.view(B, "g", 11, MembershipFrame.CAUSE_LEAVE, List.of(B), 0);
        assertEquals(List.of(), left.check(Set.of(A, B)));

        final History gone = twoMembersInOneView();
        gone.sent(A, 1, "g", ServiceType.FIFO);
        assertEquals(List.of(), gone.check(Set.of(B)));
    }

    @Test
    void aMessageSentWhileASecondLeaveIsPendingNeedNotComeBack()
    {
        // leave, join and leave again before the first self-leave arrives: after the first self-leave and the join,
        // the second leave is still pending, so what A sends then may be ordered after it
        final History h = twoMembersInOneView();
        h.requested(A, "g", false);
        h.requested(A, "g", true);
        h.requested(A, "g", false);
        h.view(A, "g", 11, MembershipFrame.CAUSE_SELF_LEAVE, List.of(), -1);
        h.view(B, "g", 11, MembershipFrame.CAUSE_LEAVE, List.of(B), 0);
        h.view(A, "g", 12, MembershipFrame.CAUSE_JOIN, BOTH, 0);
        h.view(B, "g", 12, MembershipFrame.CAUSE_JOIN, BOTH, 1);
        h.sent(A, 1, "g", ServiceType.FIFO);
        h.view(A, "g", 13, MembershipFrame.CAUSE_SELF_LEAVE, List.of(), -1);
        h.view(B, "g", 13, MembershipFrame.CAUSE_LEAVE, List.of(B), 0);
        assertEquals(List.of(), h.check(Set.of(A, B)));
    }

    @Test
    void aMessageSentBeforeTheOwnJoinViewNeedNotComeBack()
    {
        final History h = new History(new String[]{"node1"});
        h.connected(A);
        h.requested(A, "g", true);
        h.sent(A, 1, "g", ServiceType.AGREED); // ordered before the join: not for A
        h.view(A, "g", 10, MembershipFrame.CAUSE_JOIN, List.of(A), 0);
        assertEquals(List.of(), h.check(Set.of(A)));
    }

    @Test
    void aMemberStillWithTheSenderInItsNextViewMustHaveItsMessages()
    {
        final History h = twoMembersInOneView();
        h.sent(A, 1, "g", ServiceType.FIFO);
        h.data(A, A, "g", 1, ServiceType.FIFO);
        h.view(A, "g", 12, MembershipFrame.CAUSE_NETWORK, BOTH, 0);
        h.view(B, "g", 12, MembershipFrame.CAUSE_NETWORK, BOTH, 1);
        final List<String> problems = h.check(Set.of());
        assertTrue(has(problems, "silent loss: " + B + " missed 1 message(s) delivered elsewhere in g/10 (e.g. " + A +
            "/1) though their sender is still in its next view 12"), problems::toString);
    }

    @Test
    void aTransitionalViewWithoutTheSenderAllowsTheLoss()
    {
        // a partition: A's side forms a view of its own, B's node comes back straight into the merged view; B's
        // transitional view says A did not move on with it, so B may lack what A delivered, A being back or not
        final History h = twoMembersInOneView();
        h.sent(A, 1, "g", ServiceType.FIFO);
        h.data(A, A, "g", 1, ServiceType.FIFO);
        h.view(A, "g", 100, MembershipFrame.CAUSE_TRANSITIONAL, List.of(A), 0);
        h.view(A, "g", 200, MembershipFrame.CAUSE_NETWORK, List.of(A), 0);
        h.view(B, "g", 101, MembershipFrame.CAUSE_TRANSITIONAL, List.of(B), 0);
        h.view(A, "g", 300, MembershipFrame.CAUSE_NETWORK, BOTH, 0);
        h.view(B, "g", 300, MembershipFrame.CAUSE_NETWORK, BOTH, 1);
        assertEquals(List.of(), h.check(Set.of(A, B)));

        // the same without the transitional view: A never left B's view, and B lost its message
        final History silent = twoMembersInOneView();
        silent.sent(A, 1, "g", ServiceType.FIFO);
        silent.data(A, A, "g", 1, ServiceType.FIFO);
        silent.view(A, "g", 200, MembershipFrame.CAUSE_NETWORK, List.of(A), 0);
        silent.view(A, "g", 300, MembershipFrame.CAUSE_NETWORK, BOTH, 0);
        silent.view(B, "g", 300, MembershipFrame.CAUSE_NETWORK, BOTH, 1);
        final List<String> problems = silent.check(Set.of(A, B));
        assertTrue(has(problems, "silent loss: " + B + " missed 1 message(s)"), problems::toString);
    }

    @Test
    void aMemberThatStaysToTheEndGetsEverythingOfItsLastView()
    {
        final History h = twoMembersInOneView();
        h.sent(A, 1, "g", ServiceType.SAFE);
        h.data(A, A, "g", 1, ServiceType.SAFE);
        final List<String> problems = h.check(Set.of(B));
        assertTrue(has(problems, "silent loss: " + B + " missed 1 message(s) delivered elsewhere in g/10 (e.g. " + A +
            "/1) though it stayed in that view to the end"), problems::toString);
    }
}
