package io.msgc.server;

/**
 * Fault injection on peer links, for tests only: partition this node from chosen peers. While a peer is
 * partitioned, this node neither dials it nor accepts it, and discards every frame that arrives from it, so
 * heartbeats stop and both sides declare the link down exactly as on a real network split.
 * Written by a test thread, read by the server thread: one volatile word.
 */
public final class LinkFaults
{
    private volatile long partitioned;

    /**
     * Cut this node off from the given peers (indexes in the peers list).
     *
     * @param nodes peer indexes.
     */
    public void partition(final int... nodes)
    {
        long mask = partitioned;
        for (final int node : nodes)
        {
            mask |= 1L << node;
        }
        partitioned = mask;
    }

    /**
     * Remove every partition.
     */
    public void heal()
    {
        partitioned = 0;
    }

    boolean isPartitioned(final int node)
    {
        return (partitioned & (1L << node)) != 0;
    }
}
