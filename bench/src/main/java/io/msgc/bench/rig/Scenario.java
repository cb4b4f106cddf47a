package io.msgc.bench.rig;

import io.msgc.conf.IdleStrategyKind;

/**
 * One load-rig scenario: a traffic pattern, a topology, a payload size and a send rate.
 *
 * @param kind        round trip, one-way throughput, or fan-out.
 * @param nodes       1 or 2 (publisher on node1, subscribers on the last node).
 * @param subscribers subscriber count.
 * @param size        payload bytes (at least {@link #MIN_SIZE}: sequence and intended send time).
 * @param rate        messages per second, or 0 for as fast as possible.
 * @param idle        idle strategy of the servers and relays.
 */
record Scenario(Kind kind, int nodes, int subscribers, int size, int rate, IdleStrategyKind idle)
{
    /** Sequence number and intended send time. */
    static final int MIN_SIZE = 16;

    /**
     * Traffic patterns.
     */
    enum Kind
    {
        /** A sends to B, B echoes to A, A records the round trip. */
        RTT("rtt"),
        /** A sends to B, B records the one-way latency. */
        ONE_WAY("1to1"),
        /** A sends to a group of subscribers, each records the one-way latency. */
        FAN_OUT("fanout");

        final String label;

        Kind(final String label)
        {
            this.label = label;
        }
    }

    /**
     * @return a short unique name, used for files: e.g. {@code busy-spin-rtt-2n-64b-10k}.
     */
    String id()
    {
        return idle.configName() + "-" + kind.label + (kind == Kind.FAN_OUT ? subscribers : "") + "-" + nodes + "n-" +
            size + "b-" + rateLabel();
    }

    /**
     * @return "10k", "100k", or "max".
     */
    String rateLabel()
    {
        return rate == 0 ? "max" : rate % 1000 == 0 ? rate / 1000 + "k" : Integer.toString(rate);
    }
}
