package io.msgc.admin;

/**
 * Every counter a node keeps in its counters file: the Agrona type id it is allocated with, its Prometheus name
 * and labels, and the names {@code msgc stat} and the admin {@code stats} answer use. The writer
 * ({@link NodeCounters}) and every reader ({@code msgc stat}, /metrics) share this table, so a counter is named in
 * one place. Type ids are part of the file layout: never renumber one, add new ones at the end.
 */
public enum CounterKind
{
    /** DATA frames received from local clients. */
    MESSAGES_IN_CLIENT(1, "msgc_messages_in_total", "source=\"client\"", false,
        "DATA messages received", "messages in, from clients", "messages-from-clients"),
    /** DATA frames received from peers. */
    MESSAGES_IN_PEER(2, "msgc_messages_in_total", "source=\"peer\"", false,
        "DATA messages received", "messages in, from peers", "messages-from-peers"),
    /** Copies delivered to local members. */
    MESSAGES_OUT_CLIENT(3, "msgc_messages_out_total", "dest=\"client\"", false,
        "DATA messages queued to a destination", "messages out, deliveries to clients", "deliveries"),
    /** Copies forwarded to peers (one per node with members). */
    MESSAGES_OUT_PEER(4, "msgc_messages_out_total", "dest=\"peer\"", false,
        "DATA messages queued to a destination", "messages out, forwards to peers", "peer-forwards"),
    /** Bytes of the DATA frames from local clients. */
    BYTES_IN_CLIENT(5, "msgc_bytes_in_total", "source=\"client\"", false,
        "Bytes of DATA frames received", "bytes in, from clients", "bytes-from-clients"),
    /** Bytes of the DATA frames from peers. */
    BYTES_IN_PEER(6, "msgc_bytes_in_total", "source=\"peer\"", false,
        "Bytes of DATA frames received", "bytes in, from peers", "bytes-from-peers"),
    /** Bytes of the DATA frames delivered to local members. */
    BYTES_OUT_CLIENT(7, "msgc_bytes_out_total", "dest=\"client\"", false,
        "Bytes of DATA frames queued to a destination", "bytes out, to clients", "bytes-to-clients"),
    /** Bytes of the DATA frames forwarded to peers. */
    BYTES_OUT_PEER(8, "msgc_bytes_out_total", "dest=\"peer\"", false,
        "Bytes of DATA frames queued to a destination", "bytes out, to peers", "bytes-to-peers"),
    /** UNRELIABLE copies dropped under back-pressure. */
    DROPPED_UNRELIABLE(9, "msgc_dropped_total", "reason=\"unreliable\"", false,
        "Message copies not delivered, by reason", "dropped, UNRELIABLE under back-pressure", "dropped-unreliable"),
    /** Reliable copies that did not fit a slow consumer's buffer (that consumer is then disconnected). */
    DROPPED_SLOW_CONSUMER(10, "msgc_dropped_total", "reason=\"slow_consumer\"", false,
        "Message copies not delivered, by reason", "dropped, slow consumer cut off", "dropped-slow-consumer"),
    /** Clients disconnected for not keeping up. */
    SLOW_CONSUMERS(11, "msgc_slow_consumers_total", "", false,
        "Clients disconnected because their outbound buffer overflowed", "slow consumers", "slow-consumers"),
    /** Bad frames from any connection. */
    PROTOCOL_ERRORS(12, "msgc_protocol_errors_total", "", false,
        "Malformed, unexpected or oversize frames received", "protocol errors", "protocol-errors"),
    /** Clients connected now. */
    CLIENTS_CONNECTED(13, "msgc_clients_connected", "", true,
        "Clients connected now", "clients connected", "clients-connected"),
    /** Client handshakes accepted. */
    CLIENTS_ACCEPTED(14, "msgc_clients_accepted_total", "", false,
        "Client handshakes accepted", "clients accepted", "clients-accepted"),
    /** Client handshakes refused. */
    CLIENTS_REJECTED(15, "msgc_clients_rejected_total", "", false,
        "Client handshakes refused (bad or duplicate name, max_clients)", "clients rejected", "clients-rejected"),
    /** Peer links that came up. */
    PEER_UPS(16, "msgc_peer_ups_total", "", false,
        "Peer links that came up", "peer ups", "peer-ups"),
    /** Peer links that went down. */
    PEER_DOWNS(17, "msgc_peer_downs_total", "", false,
        "Peer links that went down", "peer downs", "peer-downs"),
    /** Changes of the set of reachable nodes. */
    NODE_VIEW_CHANGES(18, "msgc_node_view_changes_total", "", false,
        "Changes of the set of reachable nodes", "node view changes", "node-view-changes"),
    /** The node view id now. */
    NODE_VIEW_ID(19, "msgc_node_view_id", "", true,
        "Node view id: increases at every change of the reachable nodes", "node view id", "node-view-id"),
    /** Peers whose link is up now. */
    PEERS_UP(20, "msgc_peers_up", "", true,
        "Peers whose link is up now", "peers up", "peers-up"),
    /** The longest event-loop turn since start, ns. */
    LOOP_MAX_TURN_NS(21, "msgc_loop_max_turn_seconds", "", true,
        "Longest event-loop turn since start (time a turn was allowed to block in select not counted)",
        "loop max turn, ns", "loop-max-turn-ns"),
    /** Event lines the log dropped because its ring was full. */
    LOG_LINES_DROPPED(22, "msgc_log_lines_dropped_total", "", false,
        "Log lines dropped because the log ring was full (output blocked or too slow)",
        "log lines dropped", "log-lines-dropped"),
    HANDSHAKES_REFUSED(23, "msgc_handshakes_refused_total", "", false,
        "Connections closed because max_handshakes connections were waiting for HELLO",
        "handshakes refused", "handshakes-refused"),
    BUFFER_MEMORY(24, "msgc_buffer_memory_bytes", "", true,
        "Direct memory held by connection buffers now", "buffer memory, bytes", "buffer-memory"),
    BUFFER_MEMORY_REFUSALS(25, "msgc_buffer_memory_refusals_total", "", false,
        "Buffer requests refused because max_buffer_memory was in use", "buffer memory refusals",
        "buffer-memory-refusals"),
    /** Handshakes refused: no authentication offered to a node that requires it (REJECT AUTH_REQUIRED). */
    REFUSED_AUTH_REQUIRED(41, "msgc_refused_total", "reason=\"auth_required\"", false, "Connections, peer frames and admin commands refused, by reason (msgc stats: refused-*)",
        "refused, no authentication offered", "refused-auth-required"),
    /** Handshakes refused: a wrong proof, a replay, or a secret the node does not have (REJECT AUTH_FAILED). */
    REFUSED_AUTH_FAILED(42, "msgc_refused_total", "reason=\"auth_failed\"", false, "Connections, peer frames and admin commands refused, by reason (msgc stats: refused-*)",
        "refused, authentication failed", "refused-auth-failed"),
    /** Connections refused by the per-address rate limit (REJECT RATE_LIMITED). */
    REFUSED_RATE_LIMITED(43, "msgc_refused_total", "reason=\"rate_limited\"", false, "Connections, peer frames and admin commands refused, by reason (msgc stats: refused-*)",
        "refused, connect_rate per address", "refused-rate-limited"),
    /** Peers refused for connecting from an address their peers entry does not resolve to. */
    REFUSED_PEER_ADDRESS(44, "msgc_refused_total", "reason=\"peer_address\"", false, "Connections, peer frames and admin commands refused, by reason (msgc stats: refused-*)",
        "refused, peer from a wrong address", "refused-peer-address"),
    /** Peer links closed for a frame naming a sender or member of another node. */
    REFUSED_FORGED_IDENTITY(45, "msgc_refused_total", "reason=\"forged_identity\"", false, "Connections, peer frames and admin commands refused, by reason (msgc stats: refused-*)",
        "refused, peer frame with a forged sender", "refused-forged-identity"),
    /** Admin commands refused to a console authenticated for reading only. */
    REFUSED_ADMIN_READ_ONLY(46, "msgc_refused_total", "reason=\"admin_read_only\"", false, "Connections, peer frames and admin commands refused, by reason (msgc stats: refused-*)",
        "refused, admin command needs admin secret", "refused-admin-read-only"),
    /** Handshakes not finished in time (REJECT TIMEOUT). */
    REFUSED_TIMEOUT(47, "msgc_refused_total", "reason=\"timeout\"", false, "Connections, peer frames and admin commands refused, by reason (msgc stats: refused-*)",
        "refused, handshake timeout", "refused-timeout"),
    /** Connections refused by the listener's access list (REJECT NOT_ALLOWED). */
    REFUSED_NOT_ALLOWED(48, "msgc_refused_total", "reason=\"not_allowed\"", false, "Connections, peer frames and admin commands refused, by reason (msgc stats: refused-*)",
        "refused, access list", "refused-not-allowed"),

    /** Per peer: link state, {@link #PEER_STATES} index. */
    PEER_STATE(101, "msgc_peer_state", "", true,
        "Link state of each peer (1 for the current state)", "state", null),
    /** Per peer: bytes read from the link. */
    PEER_BYTES_IN(102, "msgc_peer_bytes_in_total", "", false,
        "Bytes read from each peer link", "bytes in", null),
    /** Per peer: bytes written to the link. */
    PEER_BYTES_OUT(103, "msgc_peer_bytes_out_total", "", false,
        "Bytes written to each peer link", "bytes out", null),
    /** Per peer: times the link came up. */
    PEER_LINK_UPS(104, "msgc_peer_link_ups_total", "", false,
        "Times each peer link came up", "ups", null),
    /** Per peer: times the link went down. */
    PEER_LINK_DOWNS(105, "msgc_peer_link_downs_total", "", false,
        "Times each peer link went down", "downs", null),
    /** Per peer: epoch ms of the last frame received (0: never). */
    PEER_LAST_HEARTBEAT(106, "msgc_peer_last_heartbeat_timestamp_seconds", "", true,
        "Time of the last frame received from each peer (Unix seconds)", "last heartbeat", null);

    /** Peer link states by the value of a {@link #PEER_STATE} counter. */
    public static final String[] PEER_STATES = {"down", "connecting", "up", "refused"};
    /** {@link #PEER_STATE} value of an up link. */
    public static final int PEER_STATE_UP = 2;
    /** {@link #PEER_STATE} value of a refused link. */
    public static final int PEER_STATE_REFUSED = 3;

    private final int typeId;
    private final String metric;
    private final String labels;
    private final boolean gauge;
    private final String help;
    private final String label;
    private final String statsName;

    CounterKind(
        final int typeId,
        final String metric,
        final String labels,
        final boolean gauge,
        final String help,
        final String label,
        final String statsName)
    {
        this.typeId = typeId;
        this.metric = metric;
        this.labels = labels;
        this.gauge = gauge;
        this.help = help;
        this.label = label;
        this.statsName = statsName;
    }

    /**
     * @return the Agrona counter type id.
     */
    public int typeId()
    {
        return typeId;
    }

    /**
     * @return the Prometheus metric name.
     */
    public String metric()
    {
        return metric;
    }

    /**
     * @return the fixed Prometheus labels, e.g. {@code source="client"}; empty for none.
     */
    public String labels()
    {
        return labels;
    }

    /**
     * @return true for a gauge, false for a counter that only grows.
     */
    public boolean gauge()
    {
        return gauge;
    }

    /**
     * @return the Prometheus HELP text.
     */
    public String help()
    {
        return help;
    }

    /**
     * @return the label written into the counters file, as {@code msgc stat} shows it.
     */
    public String label()
    {
        return label;
    }

    /**
     * @return the name in the admin {@code stats} answer, or null for per-peer counters.
     */
    public String statsName()
    {
        return statsName;
    }

    /**
     * @return true for the counters kept once per peer.
     */
    public boolean perPeer()
    {
        return typeId > 100;
    }

    /**
     * @param typeId a counter's type id.
     * @return the kind, or null for a type id this build does not know (a newer writer).
     */
    public static CounterKind ofTypeId(final int typeId)
    {
        for (final CounterKind kind : values())
        {
            if (kind.typeId == typeId)
            {
                return kind;
            }
        }
        return null;
    }
}
