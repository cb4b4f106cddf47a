package io.msgc.bench.rig;

import io.msgc.wire.ServiceType;

import java.util.List;

/**
 * One load-rig scenario: a traffic pattern, a topology, a payload size, a send rate, a profile, a service level,
 * and the systems it runs on (in that order, the first being the one the others are compared with).
 *
 * @param kind        round trip, one-way throughput, fan-out, or flow control.
 * @param nodes       1 or 2 (publisher on node1, subscribers on the last node).
 * @param subscribers subscriber count.
 * @param size        payload bytes (at least {@link #MIN_SIZE}: sequence and send time).
 * @param rate        messages per second, or 0 for as fast as possible.
 * @param profile     how servers idle and clients are driven.
 * @param service     {@link ServiceType#FIFO} or {@link ServiceType#AGREED}.
 * @param slowed      the subscriber sleeps 1 ms every 1,000 messages ({@link Kind#FLOW}).
 * @param systems     the systems to run it on.
 */
record Scenario(
    Kind kind, int nodes, int subscribers, int size, int rate, Profile profile, int service, boolean slowed,
    List<Sut> systems)
{
    /** Sequence number and send time. */
    static final int MIN_SIZE = 16;

    /**
     * Traffic patterns.
     */
    enum Kind
    {
        /** A sends to B, B echoes to A, A records the round trip. */
        RTT("rtt", "round trip"),
        /** A sends to B, B records the one-way latency; at "max" with at most 2 MiB in flight. */
        ONE_WAY("1to1", "1→1"),
        /** A sends to a group of subscribers, each records the one-way latency. */
        FAN_OUT("fanout", "fan-out"),
        /**
         * A sends to B as fast as back-pressure lets it, with no in-flight window: B's buffers fill and flow
         * control must hold (no loss, no disconnect); B reads on its own thread.
         */
        FLOW("flow", "1→1 unbounded");

        final String label;
        final String title;

        Kind(final String label, final String title)
        {
            this.label = label;
            this.title = title;
        }
    }

    /**
     * @return a short unique name, used for files: e.g. {@code busy-spin-rtt-2n-64b-10k}, {@code
     *         default-flow-slowed-2n-64b-max}, {@code backoff-agreed-rtt-2n-64b-10k}.
     */
    String id()
    {
        return profile.label + (service == ServiceType.AGREED ? "-agreed" : "") + "-" + kind.label +
            (kind == Kind.FAN_OUT ? subscribers : "") + (slowed ? "-slowed" : "") +
            (systems.get(0) == Sut.IN_PROCESS ? "-inproc" : "") + "-" + nodes + "n-" + size + "b-" + rateLabel();
    }

    /**
     * @return "10k", "100k", or "max".
     */
    String rateLabel()
    {
        return rate == 0 ? "max" : rate % 1000 == 0 ? rate / 1000 + "k" : Integer.toString(rate);
    }

    /**
     * @return the scenario's title in tables: kind, fan-out, slowed.
     */
    String title()
    {
        return (kind == Kind.FAN_OUT ? kind.title + " 1→" + subscribers : kind.title) + (slowed ? ", slowed" : "");
    }

    /**
     * @return "FIFO" or "AGREED".
     */
    String serviceName()
    {
        return service == ServiceType.AGREED ? "AGREED" : "FIFO";
    }

    /**
     * @return the publisher's node (0-based): node1, but for AGREED the last node, so that its messages are not
     *         the sequencer's own (the sequencer is node1, the first live node of the peers list) but submitted to
     *         it, ordered there, and sent on.
     */
    int publisherNode()
    {
        return service == ServiceType.AGREED ? nodes - 1 : 0;
    }

    /**
     * @return the subscribers' node (0-based): the last one, or node1 for AGREED.
     */
    int subscriberNode()
    {
        return service == ServiceType.AGREED ? 0 : nodes - 1;
    }

    /**
     * @return true when this is the same traffic as {@code other} but for the service level.
     */
    boolean twinOf(final Scenario other)
    {
        return kind == other.kind && nodes == other.nodes && subscribers == other.subscribers && size == other.size &&
            rate == other.rate && profile == other.profile && slowed == other.slowed;
    }
}
