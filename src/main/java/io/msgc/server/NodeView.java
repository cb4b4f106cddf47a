package io.msgc.server;

/**
 * The installed node view as other threads may read it: its id and its nodes. Written by the server thread at each
 * install; volatile so tests and the daemon read a consistent pair (the id is written last and read first).
 */
final class NodeView
{
    private volatile long members;
    private volatile long viewId;

    void set(final long viewId, final long members)
    {
        this.members = members;
        this.viewId = viewId;
    }

    boolean contains(final int node)
    {
        return (members & (1L << node)) != 0;
    }

    long reachableMask()
    {
        return members;
    }

    long viewId()
    {
        return viewId;
    }
}
