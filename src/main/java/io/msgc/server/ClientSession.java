package io.msgc.server;

import io.msgc.io.Connection;

import java.util.ArrayList;

/**
 * One connected client (a member): its connection, private name, member id and the groups it joined.
 */
final class ClientSession extends NameTable.Entry
{
    final Connection connection;
    final String memberId;
    final byte[] memberIdBytes;
    final ArrayList<Group> groups = new ArrayList<>();
    final long connectedAtMs;
    /** Stamp of the last message delivered, so a message to several of its groups arrives once. */
    long deliveryStamp;
    long delivered;
    long droppedUnreliable;
    boolean closing;

    ClientSession(final String privateName, final String memberId, final Connection connection, final long nowMs)
    {
        super(privateName);
        this.memberId = memberId;
        this.memberIdBytes = memberId.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        this.connection = connection;
        this.connectedAtMs = nowMs;
    }
}
