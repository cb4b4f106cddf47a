package io.msgc.server;

import io.msgc.io.Connection;
import io.msgc.io.FrameSink;
import io.msgc.wire.NameRules;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;

/**
 * One local member: its private name, member id, where its frames go, the groups the installed view has it in,
 * and the groups it asked for (joined, or join not yet installed), against which its requests are checked.
 */
final class ClientSession extends NameTable.Entry
{
    /** The socket, for a client connection; null for a member that is not behind a socket. */
    final Connection connection;
    final FrameSink out;
    final String memberId;
    final byte[] memberIdBytes;
    /** {@link #memberIdBytes} eight at a time, to check the sender of each DATA frame it sends. */
    final long[] memberIdWords;
    /** Groups the installed view has this member in. */
    final ArrayList<Group> groups = new ArrayList<>();
    /** Groups this member asked to be in: joined, or join requested; a leave removes at once. */
    final HashSet<String> requested = new HashSet<>();
    final long connectedAtMs;
    /** Its index in the view being encoded (scratch of the group table, which does not nest). */
    int viewIndex;
    /** Stamp of the last message delivered, so a message to several of its groups arrives once. */
    long deliveryStamp;
    long delivered;
    long droppedUnreliable;
    boolean closing;
    /** Flow control: since when this member's full buffer holds a stream back (0: it holds none)... */
    long blockedSinceNs;
    /** ...and its pending bytes when it last made progress. */
    int blockedPending;

    ClientSession(
        final String privateName,
        final String memberId,
        final Connection connection,
        final FrameSink out,
        final long nowMs)
    {
        super(privateName);
        this.memberId = memberId;
        this.memberIdBytes = memberId.getBytes(StandardCharsets.US_ASCII);
        this.memberIdWords = NameRules.words(memberIdBytes);
        this.connection = connection;
        this.out = out;
        this.connectedAtMs = nowMs;
    }

    ClientSession(final String privateName, final String memberId, final Connection connection, final long nowMs)
    {
        this(privateName, memberId, connection, connection, nowMs);
    }
}
