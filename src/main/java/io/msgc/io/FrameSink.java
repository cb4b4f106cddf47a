package io.msgc.io;

import org.agrona.DirectBuffer;

/**
 * Somewhere frames for one reader are queued: a {@link Connection}'s write buffer, or an in-process reader's
 * queue. The server delivers to local members through this, whatever carries the frames to them.
 */
public interface FrameSink
{
    /**
     * Queue a frame.
     *
     * @param buffer holding the frame.
     * @param offset frame start.
     * @param length frame length.
     * @return false when the frame would pass {@link #writeLimit()} (nothing is queued then) or the sink is closed.
     */
    boolean offer(DirectBuffer buffer, int offset, int length);

    /**
     * @return bytes queued and not yet taken by the reader.
     */
    int pendingBytes();

    /**
     * @return the most bytes that may be queued.
     */
    int writeLimit();
}
