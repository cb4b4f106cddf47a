package io.msgc.server;

import java.util.TreeMap;

/**
 * What this node holds and has done of one node's stream (its own included): the frames it holds, in order, the
 * cursor of the next one to process, and why processing waits when it does. Frames are held until every member
 * has processed them, so that if their origin fails, a survivor can hand them to another.
 */
final class Inbound
{
    final int node;
    final FrameLog log;
    /** The incarnation of the origin these frames come from; a restart starts a new stream. */
    long incarnation;
    /** Position in {@link #log} of the next frame to process. */
    long cursor;
    /** Highest stream position held. */
    long receivedSeq;
    /** Highest stream position the origin says it sent on the current connection (LINK_STATE). */
    long sentHint;
    /** The view of the frames last received from the origin itself (set by each VIEW_START received). */
    long receiptView;
    /**
     * In {@link #receiptView}: the highest event index through which this node holds the stream as received from
     * its origin (a MARK; the sequencer's EVENT; a FLUSH_MARK holds it all), so with no hole before that event.
     */
    long heldMark;
    /** Stream position of the last frame processed. */
    long processedSeq;
    /** The view the frames at the cursor belong to (set by each VIEW_START). */
    long streamView;
    /** The FLUSH_MARK was processed: nothing more of this stream in its view. */
    boolean done;
    /** While the cursor waits at a MARK: the event index it waits for; else 0. */
    long markAt;
    /** While the cursor waits at a SAFE message that not every member holds yet. */
    boolean holdingSafe;
    /** While the cursor waits for this local member to read (flow control); else null. */
    ClientSession blockedBy;
    /** Stream position of the FLUSH_MARK held (arrived), 0 when none. */
    long flushMarkSeq;
    /** During a view change: the origin left the view; its stream ends with what the survivors hold. */
    boolean failed;
    /** The origin was excluded: its frames wait for the next view. */
    boolean frozen;
    /** During a view change: the origin's frames other survivors sent, by stream position. */
    final TreeMap<Long, byte[]> recovered = new TreeMap<>();

    Inbound(final int node, final FrameLog log)
    {
        this.node = node;
        this.log = log;
    }

    /**
     * @return the highest stream position of this origin that this node has processed in its view (for
     *         stability): past the last frame processed when nothing is waiting, up to what the origin says it
     *         sent, since frames not routed here were never meant for this node.
     */
    long horizon()
    {
        final boolean idle = log.recordAt(cursor) >= log.tail() && !done && markAt == 0 && !holdingSafe;
        return idle ? Math.max(processedSeq, sentHint) : processedSeq;
    }

    /**
     * @return the highest stream position of this origin this node holds, or knows was not meant for it.
     */
    long heldHorizon()
    {
        return Math.max(receivedSeq, sentHint);
    }

    /**
     * Forget everything: a new incarnation of the origin starts a new stream.
     *
     * @param newIncarnation the origin's incarnation.
     */
    void reset(final long newIncarnation)
    {
        incarnation = newIncarnation;
        log.clear();
        cursor = log.tail();
        receivedSeq = 0;
        sentHint = 0;
        processedSeq = 0;
        streamView = 0;
        receiptView = 0;
        heldMark = 0;
        done = false;
        markAt = 0;
        holdingSafe = false;
        blockedBy = null;
        flushMarkSeq = 0;
        failed = false;
        frozen = false;
        recovered.clear();
    }
}
