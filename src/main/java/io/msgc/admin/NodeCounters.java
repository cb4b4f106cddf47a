package io.msgc.admin;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.nio.charset.StandardCharsets;

/**
 * What a node counts, as Agrona counters in its {@link CountersFile}. Written by the event-loop thread only, with
 * single-writer ordered stores ({@code incrementOrdered}, {@code getAndAddOrdered}, {@code setOrdered}): a plain
 * {@code mov} on x86, no lock, no allocation; readers in other threads and processes see the values.
 */
public final class NodeCounters
{
    /** DATA frames from local clients. */
    public final AtomicCounter messagesInClient;
    /** DATA frames from peers. */
    public final AtomicCounter messagesInPeer;
    /** Copies delivered to local members. */
    public final AtomicCounter messagesOutClient;
    /** Copies forwarded to peers. */
    public final AtomicCounter messagesOutPeer;
    /** Bytes of DATA frames from local clients. */
    public final AtomicCounter bytesInClient;
    /** Bytes of DATA frames from peers. */
    public final AtomicCounter bytesInPeer;
    /** Bytes of DATA frames to local members. */
    public final AtomicCounter bytesOutClient;
    /** Bytes of DATA frames to peers. */
    public final AtomicCounter bytesOutPeer;
    /** UNRELIABLE copies dropped under back-pressure. */
    public final AtomicCounter droppedUnreliable;
    /** Reliable copies that overflowed a slow consumer. */
    public final AtomicCounter droppedSlowConsumer;
    /** Slow consumers disconnected. */
    public final AtomicCounter slowConsumers;
    /** Bad frames received. */
    public final AtomicCounter protocolErrors;
    /** Clients connected now (gauge). */
    public final AtomicCounter clientsConnected;
    /** Client handshakes accepted. */
    public final AtomicCounter clientsAccepted;
    /** Client handshakes refused. */
    public final AtomicCounter clientsRejected;
    /** Peer links up. */
    public final AtomicCounter peerUps;
    /** Peer links down. */
    public final AtomicCounter peerDowns;
    /** Node view changes. */
    public final AtomicCounter nodeViewChanges;
    /** Node view id (gauge). */
    public final AtomicCounter nodeViewId;
    /** Peers up now (gauge). */
    public final AtomicCounter peersUp;
    /** Longest loop turn, ns (gauge). */
    public final AtomicCounter loopMaxTurnNs;
    /** Log lines dropped (written by the log's drain thread). */
    public final AtomicCounter logLinesDropped;
    /** Connections refused because max_handshakes connections were waiting for HELLO. */
    public final AtomicCounter handshakesRefused;
    /** Direct memory held by connection buffers (gauge). */
    public final AtomicCounter bufferMemory;
    /** Buffer requests refused by max_buffer_memory. */
    public final AtomicCounter bufferMemoryRefusals;
    /** Handshakes refused: no authentication offered to a node that requires it. */
    public final AtomicCounter refusedAuthRequired;
    /** Handshakes refused: the proof did not match. */
    public final AtomicCounter refusedAuthFailed;
    /** Connections refused by the per-address rate limit. */
    public final AtomicCounter refusedRateLimited;
    /** Peers refused for their source address. */
    public final AtomicCounter refusedPeerAddress;
    /** Peer links closed for a forged sender or member. */
    public final AtomicCounter refusedForgedIdentity;
    /** Admin commands refused to a read-only console. */
    public final AtomicCounter refusedAdminReadOnly;
    /** Handshakes that timed out. */
    public final AtomicCounter refusedTimeout;
    /** Connections refused by the access list. */
    public final AtomicCounter refusedNotAllowed;

    private final CountersManager manager;

    /**
     * Allocate the system counters.
     *
     * @param manager where; usually over a {@link CountersFile}.
     */
    public NodeCounters(final CountersManager manager)
    {
        this.manager = manager;
        messagesInClient = allocate(CounterKind.MESSAGES_IN_CLIENT, null);
        messagesInPeer = allocate(CounterKind.MESSAGES_IN_PEER, null);
        messagesOutClient = allocate(CounterKind.MESSAGES_OUT_CLIENT, null);
        messagesOutPeer = allocate(CounterKind.MESSAGES_OUT_PEER, null);
        bytesInClient = allocate(CounterKind.BYTES_IN_CLIENT, null);
        bytesInPeer = allocate(CounterKind.BYTES_IN_PEER, null);
        bytesOutClient = allocate(CounterKind.BYTES_OUT_CLIENT, null);
        bytesOutPeer = allocate(CounterKind.BYTES_OUT_PEER, null);
        droppedUnreliable = allocate(CounterKind.DROPPED_UNRELIABLE, null);
        droppedSlowConsumer = allocate(CounterKind.DROPPED_SLOW_CONSUMER, null);
        slowConsumers = allocate(CounterKind.SLOW_CONSUMERS, null);
        protocolErrors = allocate(CounterKind.PROTOCOL_ERRORS, null);
        clientsConnected = allocate(CounterKind.CLIENTS_CONNECTED, null);
        clientsAccepted = allocate(CounterKind.CLIENTS_ACCEPTED, null);
        clientsRejected = allocate(CounterKind.CLIENTS_REJECTED, null);
        peerUps = allocate(CounterKind.PEER_UPS, null);
        peerDowns = allocate(CounterKind.PEER_DOWNS, null);
        nodeViewChanges = allocate(CounterKind.NODE_VIEW_CHANGES, null);
        nodeViewId = allocate(CounterKind.NODE_VIEW_ID, null);
        peersUp = allocate(CounterKind.PEERS_UP, null);
        loopMaxTurnNs = allocate(CounterKind.LOOP_MAX_TURN_NS, null);
        logLinesDropped = allocate(CounterKind.LOG_LINES_DROPPED, null);
        handshakesRefused = allocate(CounterKind.HANDSHAKES_REFUSED, null);
        bufferMemory = allocate(CounterKind.BUFFER_MEMORY, null);
        bufferMemoryRefusals = allocate(CounterKind.BUFFER_MEMORY_REFUSALS, null);
        refusedAuthRequired = allocate(CounterKind.REFUSED_AUTH_REQUIRED, null);
        refusedAuthFailed = allocate(CounterKind.REFUSED_AUTH_FAILED, null);
        refusedRateLimited = allocate(CounterKind.REFUSED_RATE_LIMITED, null);
        refusedPeerAddress = allocate(CounterKind.REFUSED_PEER_ADDRESS, null);
        refusedForgedIdentity = allocate(CounterKind.REFUSED_FORGED_IDENTITY, null);
        refusedAdminReadOnly = allocate(CounterKind.REFUSED_ADMIN_READ_ONLY, null);
        refusedTimeout = allocate(CounterKind.REFUSED_TIMEOUT, null);
        refusedNotAllowed = allocate(CounterKind.REFUSED_NOT_ALLOWED, null);
    }

    /**
     * @return counters in process memory only, for benchmarks and tests that run parts of a server.
     */
    public static NodeCounters inMemory()
    {
        return new NodeCounters(new CountersManager(
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                CountersFile.MAX_COUNTERS * CountersReader.METADATA_LENGTH, 64)),
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                CountersFile.MAX_COUNTERS * CountersReader.COUNTER_LENGTH, 64)),
            StandardCharsets.US_ASCII));
    }

    private AtomicCounter allocate(final CounterKind kind, final String peer)
    {
        final String label = peer == null ? kind.label() : "peer " + peer + ": " + kind.label();
        if (peer == null)
        {
            return manager.newCounter(label, kind.typeId());
        }
        return manager.newCounter(label, kind.typeId(), key -> key.putStringAscii(0, peer));
    }

    /**
     * Allocate the counters of one peer; the peer's name is the key of each.
     *
     * @param peer node name.
     * @return its counters.
     */
    public PeerCounters newPeer(final String peer)
    {
        return new PeerCounters(
            allocate(CounterKind.PEER_STATE, peer),
            allocate(CounterKind.PEER_BYTES_IN, peer),
            allocate(CounterKind.PEER_BYTES_OUT, peer),
            allocate(CounterKind.PEER_LINK_UPS, peer),
            allocate(CounterKind.PEER_LINK_DOWNS, peer),
            allocate(CounterKind.PEER_LAST_HEARTBEAT, peer));
    }

    /**
     * @return the admin {@code stats} answer: {@code name value} per system counter.
     */
    public String describe()
    {
        final StringBuilder out = new StringBuilder();
        manager.forEach((counterId, typeId, keyBuffer, label) ->
        {
            final CounterKind kind = CounterKind.ofTypeId(typeId);
            if (kind != null && !kind.perPeer())
            {
                out.append(kind.statsName()).append(' ').append(manager.getCounterValue(counterId)).append('\n');
            }
        });
        return out.toString();
    }

    /**
     * The counters of one peer link.
     *
     * @param state         link state, a {@link CounterKind#PEER_STATES} index (gauge).
     * @param bytesIn       bytes read from the link.
     * @param bytesOut      bytes written to the link.
     * @param ups           times the link came up.
     * @param downs         times the link went down.
     * @param lastHeartbeat epoch ms of the last frame received (gauge).
     */
    public record PeerCounters(
        AtomicCounter state,
        AtomicCounter bytesIn,
        AtomicCounter bytesOut,
        AtomicCounter ups,
        AtomicCounter downs,
        AtomicCounter lastHeartbeat)
    {
    }
}
