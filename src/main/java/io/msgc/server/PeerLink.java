package io.msgc.server;

import io.msgc.conf.PeerConfig;
import io.msgc.io.Connection;

import java.net.InetAddress;

/**
 * This node's side of the connection to one peer: the established connection, an outbound dial in progress,
 * and what an operator wants to see (state, reason, age, bytes). What flows on the link (stream positions,
 * resume point) is the {@link Membership}'s.
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
    /** Loop time of the last frame received on the link. */
    long lastFrameMs;
    String reason = "not connected yet";
    int attempts;
    /** Set once the first failed dial since the link was last up was logged as a WARNING. */
    boolean unreachableWarned;
    long unreachableWarnedMs;
    long redialTimer = -1;
    long closedBytesIn;
    long closedBytesOut;
    /** Frames from this peer were dropped by fault injection: the connection must not carry on after a heal. */
    boolean tainted;
    /** The address the peers entry resolves to, as this node last dialled it: where the peer must connect from. */
    InetAddress address;

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
