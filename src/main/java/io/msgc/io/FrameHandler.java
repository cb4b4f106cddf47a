package io.msgc.io;

import org.agrona.MutableDirectBuffer;

/**
 * Receives what a {@link Connection} reads and learns when it closes.
 */
public interface FrameHandler
{
    /**
     * One complete frame, header included. The bytes are valid only during the call; the handler may rewrite
     * them in place (a server stamps DATA frames before forwarding them).
     *
     * @param connection the source.
     * @param buffer     holding the frame.
     * @param offset     of the frame header.
     * @param length     of the frame.
     */
    void onFrame(Connection connection, MutableDirectBuffer buffer, int offset, int length);

    /**
     * The frame stream broke a framing rule (oversize, runt, wrong version). The handler answers and closes.
     *
     * @param connection the source.
     * @param errorCode  {@link io.msgc.wire.ErrorCode}.
     * @param reason     what was wrong.
     */
    void onFramingError(Connection connection, int errorCode, String reason);

    /**
     * An outbound connection finished connecting.
     *
     * @param connection the connection.
     */
    void onConnected(Connection connection);

    /**
     * The connection is closed (by either side, or failed to connect). Called once.
     *
     * @param connection the connection.
     * @param reason     why.
     */
    void onClosed(Connection connection, String reason);
}
