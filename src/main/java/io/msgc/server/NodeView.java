package io.msgc.server;

/**
 * The set of nodes this node can reach (itself included) and a view id that increases at every change.
 * Nodes are the indexes of the peers list; at most 64.
 */
final class NodeView
{
    // written by the server thread only; volatile so tests and the daemon can read a consistent snapshot
    private volatile long reachable;
    private volatile long viewId;

    NodeView(final int selfIndex)
    {
        reachable = 1L << selfIndex;
        viewId = 1;
    }

    boolean add(final int node)
    {
        final long next = reachable | (1L << node);
        return change(next);
    }

    boolean remove(final int node)
    {
        final long next = reachable & ~(1L << node);
        return change(next);
    }

    private boolean change(final long next)
    {
        if (next == reachable)
        {
            return false;
        }
        reachable = next;
        viewId++;
        return true;
    }

    boolean contains(final int node)
    {
        return (reachable & (1L << node)) != 0;
    }

    long reachableMask()
    {
        return reachable;
    }

    long viewId()
    {
        return viewId;
    }
}
