package io.msgc.server;

import io.msgc.conf.PeerConfig;
import io.msgc.io.Connection;

/**
 * This node's side of the link to one peer: the established connection, an outbound dial in progress,
 * and what an operator wants to see (state, reason, age, last heartbeat, bytes).
 */
final class PeerLink
{
    /** Link states as shown by {@code msgc peers}. */
    enum State
    {
        /** Not connected; a redial is scheduled. */
        DOWN,
        /** Dialling or handshaking. */
        CONNECTING,
        /** Handshake done both ways; traffic flows. */
        UP,
        /** The peer refused our HELLO; the reason says why. */
        REFUSED
    }

    final PeerConfig peer;
    State state = State.DOWN;
    Connection link;
    Connection dialling;
    boolean linkDialledByUs;
    long incarnation;
    long upSinceMs;
    long lastHeartbeatMs;
    String reason = "not connected yet";
    int attempts;
    /** Set once the first failed dial since the link was last up was logged as a WARNING. */
    boolean unreachableWarned;
    long unreachableWarnedMs;
    long redialTimer = -1;
    long closedBytesIn;
    long closedBytesOut;
    /** Set while the peer's full member state (RESET..DONE) is arriving. */
    boolean syncing;

    PeerLink(final PeerConfig peer)
    {
        this.peer = peer;
    }

    int index()
    {
        return peer.index();
    }

    boolean isUp()
    {
        return state == State.UP;
    }

    long bytesIn()
    {
        return closedBytesIn + (link != null ? link.bytesIn() : 0);
    }

    long bytesOut()
    {
        return closedBytesOut + (link != null ? link.bytesOut() : 0);
    }
}
