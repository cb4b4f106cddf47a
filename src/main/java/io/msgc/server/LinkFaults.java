package io.msgc.server;

/**
 * Fault injection, for tests only. Partition this node from chosen peers: while a peer is partitioned, this node
 * neither dials it nor accepts it, and discards every frame that arrives from it, so heartbeats stop and both sides
 * declare the link down exactly as on a real network split. Pause the node: its loop does nothing, as a process
 * stopped by SIGSTOP, while the kernel keeps its sockets open.
 * Written by a test thread, read by the server thread: volatile fields.
 */
public final class LinkFaults
{
    private volatile long partitioned;
    private volatile boolean paused;

    /**
     * Stop or resume the node's loop.
     *
     * @param pause true to stop it.
     */
    public void pause(final boolean pause)
    {
        paused = pause;
    }

    boolean isPaused()
    {
        return paused;
    }

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
