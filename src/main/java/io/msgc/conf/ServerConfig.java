package io.msgc.conf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code msgc_server} scope: the cluster's nodes and the server's tunables. Momentum's option names and
 * defaults, plus msgc's own tunables (see docs/CONFIG.md). Immutable.
 */
public final class ServerConfig
{
    /** Momentum's default msgc port. */
    public static final int DEFAULT_PORT = 4809;

    private final List<PeerConfig> peers;
    private final Map<String, PeerConfig> peersByName = new HashMap<>();
    private final long peersDigest;
    private final long[] prefixDigests;
    private final String peersDescription;
    private final int port;
    private final int connectTimeout;
    private final int idleTimeout;
    private final int slowConsumerTimeout;
    private final int keepaliveInterval;
    private final int reconnectInterval;
    private final int maxBacklog;
    private final int messagesPerIter;
    private final int tcpbufSize;
    private final String debugLevel;
    private final boolean enabled;
    private final int maxFrameSize;
    private final int clientOutboundLimit;
    private final IdleStrategyKind idleStrategy;
    private final int heartbeatIntervalMs;
    private final int peerTimeoutMs;
    private final int reconnectInitialMs;
    private final int maxGroupsPerClient;
    private final int maxClients;
    private final int maxHandshakes;
    private final int maxBufferMemory;
    private final String countersFile;
    private final ListenConfig metricsListen;
    private final String logFile;
    private final String logFormat;
    private final String authSecretFile;
    private final Secret authSecret;
    private final String adminSecretFile;
    private final Secret adminSecret;
    private final boolean peerAddressCheck;
    private final int authTimeoutMs;
    private final int connectRate;
    private final int connectBurst;

    private ServerConfig(final Builder b)
    {
        peers = List.copyOf(b.peers);
        for (final PeerConfig peer : peers)
        {
            peersByName.put(peer.name(), peer);
        }
        port = b.port;
        connectTimeout = b.connectTimeout;
        idleTimeout = b.idleTimeout;
        slowConsumerTimeout = b.slowConsumerTimeout;
        keepaliveInterval = b.keepaliveInterval;
        reconnectInterval = b.reconnectInterval;
        maxBacklog = b.maxBacklog;
        messagesPerIter = b.messagesPerIter;
        tcpbufSize = b.tcpbufSize;
        debugLevel = b.debugLevel;
        enabled = b.enabled;
        maxFrameSize = b.maxFrameSize;
        clientOutboundLimit = b.clientOutboundLimit;
        idleStrategy = b.idleStrategy;
        heartbeatIntervalMs = b.heartbeatIntervalMs;
        peerTimeoutMs = b.peerTimeoutMs;
        reconnectInitialMs = b.reconnectInitialMs;
        maxGroupsPerClient = b.maxGroupsPerClient;
        maxClients = b.maxClients;
        maxHandshakes = b.maxHandshakes;
        maxBufferMemory = b.maxBufferMemory;
        countersFile = b.countersFile;
        metricsListen = b.metricsListen;
        logFile = b.logFile;
        logFormat = b.logFormat;
        authSecretFile = b.authSecretFile;
        authSecret = b.authSecret;
        adminSecretFile = b.adminSecretFile;
        adminSecret = b.adminSecret;
        peerAddressCheck = b.peerAddressCheck;
        authTimeoutMs = b.authTimeoutMs;
        connectRate = b.connectRate;
        connectBurst = b.connectBurst;

        // nodes compare digests at handshake: every node must hash exactly the same bytes
        long hash = 0xcbf29ce484222325L;
        final StringBuilder description = new StringBuilder("[");
        prefixDigests = new long[peers.size()];
        for (final PeerConfig peer : peers)
        {
            final String entry = peer.name() + "=" + peer.host() + ":" + peer.port();
            for (final byte x : (entry + ";").getBytes(StandardCharsets.UTF_8))
            {
                hash ^= x & 0xFF;
                hash *= 0x100000001b3L;
            }
            prefixDigests[peer.index()] = hash;
            description.append(description.length() > 1 ? " " : "").append(entry);
        }
        peersDigest = hash;
        peersDescription = description.append(']').toString();
    }

    /**
     * @return a builder holding every default and no peers.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return the nodes in peers-map order (index 0 first).
     */
    public List<PeerConfig> peers()
    {
        return peers;
    }

    /**
     * @param name node name, case-insensitive.
     * @return the node, or null when there is no such node.
     */
    public PeerConfig peer(final String name)
    {
        return name == null ? null : peersByName.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * @return 64-bit FNV-1a of the UTF-8 bytes of {@code name=host:port;} for each peer in order; nodes with
     *         different peers lists have different digests.
     */
    public long peersDigest()
    {
        return peersDigest;
    }

    /**
     * @param count 1..{@code peers().size()}.
     * @return the digest of the first {@code count} entries, as {@link #peersDigest()} of a list of only those.
     */
    public long peersDigest(final int count)
    {
        return prefixDigests[count - 1];
    }

    /**
     * @return element k-1: {@link #peersDigest(int) peersDigest(k)}; a copy.
     */
    public long[] prefixDigests()
    {
        return prefixDigests.clone();
    }

    /**
     * @return the peers for humans, e.g. {@code [node1=127.0.0.1:4809 node2=127.0.0.2:4809]}.
     */
    public String peersDescription()
    {
        return peersDescription;
    }

    /** @return {@code port}: the port of peers entries that give none (default 4809). */
    public int port()
    {
        return port;
    }

    /** @return {@code connect_timeout} in seconds (default 60). */
    public int connectTimeout()
    {
        return connectTimeout;
    }

    /**
     * @return {@code slow_consumer_timeout} in seconds: a member whose full buffer holds messages back this long
     *         without reading any is disconnected (default 10).
     */
    public int slowConsumerTimeout()
    {
        return slowConsumerTimeout;
    }

    /** @return {@code idle_timeout} in seconds: a peer silent this long is dropped (default 30). */
    public int idleTimeout()
    {
        return idleTimeout;
    }

    /** @return {@code keepalive_interval} in seconds (default 5). */
    public int keepaliveInterval()
    {
        return keepaliveInterval;
    }

    /** @return {@code reconnect_interval} in seconds: the longest delay between redials (default 5). */
    public int reconnectInterval()
    {
        return reconnectInterval;
    }

    /** @return {@code max_backlog}: messages queued per peer before it is considered stuck (default 5000). */
    public int maxBacklog()
    {
        return maxBacklog;
    }

    /** @return {@code messages_per_iter}: messages handled per connection per loop turn (default 20). */
    public int messagesPerIter()
    {
        return messagesPerIter;
    }

    /** @return {@code tcpbuf_size}: socket send/receive buffer size in bytes; 0 (the default) leaves the OS default, which Linux auto-tunes. */
    public int tcpbufSize()
    {
        return tcpbufSize;
    }

    /** @return {@code debug_level}, upper case: DEBUG, INFO, NOTICE, WARNING, ERROR or CRITICAL (default ERROR). */
    public String debugLevel()
    {
        return debugLevel;
    }

    /** @return {@code enabled} (default true). */
    public boolean enabled()
    {
        return enabled;
    }

    /** @return {@code max_frame_size} in bytes (default 1048576). */
    public int maxFrameSize()
    {
        return maxFrameSize;
    }

    /** @return {@code client_outbound_limit}: bytes queued to one client before it is cut off (default 8 MiB). */
    public int clientOutboundLimit()
    {
        return clientOutboundLimit;
    }

    /** @return {@code idle_strategy} (default backoff). */
    public IdleStrategyKind idleStrategy()
    {
        return idleStrategy;
    }

    /** @return {@code heartbeat_interval_ms} (default 250). */
    public int heartbeatIntervalMs()
    {
        return heartbeatIntervalMs;
    }

    /** @return {@code peer_timeout_ms}: a peer silent this long is declared down (default 1500). */
    public int peerTimeoutMs()
    {
        return peerTimeoutMs;
    }

    /** @return {@code reconnect_initial_ms}: the first redial delay, doubled up to reconnect_interval. */
    public int reconnectInitialMs()
    {
        return reconnectInitialMs;
    }

    /** @return {@code max_groups_per_client} (default 1000). */
    public int maxGroupsPerClient()
    {
        return maxGroupsPerClient;
    }

    /** @return {@code max_clients}: client connections per node (default 10000). */
    public int maxClients()
    {
        return maxClients;
    }

    /**
     * @return {@code max_handshakes}: accepted connections that have not sent HELLO yet; past it the one waiting
     *         longest is refused (default 1000).
     */
    public int maxHandshakes()
    {
        return maxHandshakes;
    }

    /**
     * @return {@code max_buffer_memory}: bytes of direct memory for all connection buffers of the node
     *         (default 512 MiB).
     */
    public int maxBufferMemory()
    {
        return maxBufferMemory;
    }

    /**
     * @return {@code counters_file}: the memory-mapped counters file, or null (the default) for the per-node
     *         default path ({@code /dev/shm/msgc-NODE-HOST-PORT.counters}, or under {@code java.io.tmpdir}).
     */
    public String countersFile()
    {
        return countersFile;
    }

    /** @return {@code metrics_listen}: the HTTP address of /metrics and /healthz, or null (the default: off). */
    public ListenConfig metricsListen()
    {
        return metricsListen;
    }

    /** @return {@code log_file}: the file events are appended to, or null (the default) for standard output. */
    public String logFile()
    {
        return logFile;
    }

    /** @return {@code log_format}: {@code text} (the default) or {@code json} (one JSON object per line). */
    public String logFormat()
    {
        return logFormat;
    }

    /**
     * @return {@code auth_secret_file}: where the cluster secret was read from, or null (no file: none, or one given
     *         in code).
     */
    public String authSecretFile()
    {
        return authSecretFile;
    }

    /**
     * @return the cluster secret every peer, client and console must prove, or null: then nobody authenticates
     *         (the node logs a WARNING at start).
     */
    public Secret authSecret()
    {
        return authSecret;
    }

    /**
     * @return {@code admin_secret_file}: where the admin secret was read from, or null.
     */
    public String adminSecretFile()
    {
        return adminSecretFile;
    }

    /**
     * @return the admin secret: a console that proves it may run every command; one that proves only the cluster
     *         secret may run the read-only ones. Null: the cluster secret allows every command.
     */
    public Secret adminSecret()
    {
        return adminSecret;
    }

    /**
     * @return {@code peer_address_check}: a peer must connect from the address its peers entry resolves to
     *         (default true; turn off behind NAT).
     */
    public boolean peerAddressCheck()
    {
        return peerAddressCheck;
    }

    /**
     * @return {@code auth_timeout_ms}: with a secret, the time an accepted connection has to finish its handshake
     *         (HELLO and AUTH), or {@code connect_timeout} when that is shorter (default 5000).
     */
    public int authTimeoutMs()
    {
        return authTimeoutMs;
    }

    /**
     * @return {@code connect_rate}: connections accepted per second from one source address, on average
     *         (default 100; 0 turns the limit off).
     */
    public int connectRate()
    {
        return connectRate;
    }

    /**
     * @return {@code connect_burst}: connections one source address may open at once before {@code connect_rate}
     *         applies (default 500).
     */
    public int connectBurst()
    {
        return connectBurst;
    }

    /**
     * Builds a {@link ServerConfig}; starts with every default and no peers. Not validated as strictly as a
     * file: {@link #build()} checks only what would break the server (peer names, ports, timeouts).
     */
    public static final class Builder
    {
        private final List<PeerConfig> peers = new ArrayList<>();
        private int port = DEFAULT_PORT;
        private int connectTimeout = 60;
        private int idleTimeout = 30;
        private int slowConsumerTimeout = 10;
        private int keepaliveInterval = 5;
        private int reconnectInterval = 5;
        private int maxBacklog = 5000;
        private int messagesPerIter = 20;
        private int tcpbufSize = 0;
        private String debugLevel = "ERROR";
        private boolean enabled = true;
        private int maxFrameSize = 1048576;
        private int clientOutboundLimit = 8388608;
        private IdleStrategyKind idleStrategy = IdleStrategyKind.BACKOFF;
        private int heartbeatIntervalMs = 250;
        private int peerTimeoutMs = 1500;
        private int reconnectInitialMs = 100;
        private int maxGroupsPerClient = 1000;
        private int maxClients = 10000;
        private int maxHandshakes = 1000;
        private int maxBufferMemory = 512 * 1024 * 1024;
        private String countersFile;
        private ListenConfig metricsListen;
        private String logFile;
        private String logFormat = "text";
        private String authSecretFile;
        private Secret authSecret;
        private String adminSecretFile;
        private Secret adminSecret;
        private boolean peerAddressCheck = true;
        private int authTimeoutMs = 5000;
        private int connectRate = 100;
        private int connectBurst = 500;

        private Builder()
        {
        }

        /**
         * Append a node; its index is the number of nodes added before it.
         *
         * @param name node name (lowercased).
         * @param host host name or address.
         * @param port TCP port.
         * @return this.
         */
        public Builder peer(final String name, final String host, final int port)
        {
            peers.add(new PeerConfig(name.toLowerCase(Locale.ROOT), host, port, peers.size()));
            return this;
        }

        /**
         * @param port default peer port.
         * @return this.
         */
        public Builder port(final int port)
        {
            this.port = port;
            return this;
        }

        /**
         * @param seconds connect_timeout.
         * @return this.
         */
        public Builder connectTimeout(final int seconds)
        {
            this.connectTimeout = seconds;
            return this;
        }

        /**
         * @param seconds slow_consumer_timeout.
         * @return this.
         */
        public Builder slowConsumerTimeout(final int seconds)
        {
            this.slowConsumerTimeout = seconds;
            return this;
        }

        /**
         * @param seconds idle_timeout.
         * @return this.
         */
        public Builder idleTimeout(final int seconds)
        {
            this.idleTimeout = seconds;
            return this;
        }

        /**
         * @param seconds keepalive_interval.
         * @return this.
         */
        public Builder keepaliveInterval(final int seconds)
        {
            this.keepaliveInterval = seconds;
            return this;
        }

        /**
         * @param seconds reconnect_interval.
         * @return this.
         */
        public Builder reconnectInterval(final int seconds)
        {
            this.reconnectInterval = seconds;
            return this;
        }

        /**
         * @param n max_backlog.
         * @return this.
         */
        public Builder maxBacklog(final int n)
        {
            this.maxBacklog = n;
            return this;
        }

        /**
         * @param n messages_per_iter.
         * @return this.
         */
        public Builder messagesPerIter(final int n)
        {
            this.messagesPerIter = n;
            return this;
        }

        /**
         * @param bytes tcpbuf_size; 0 leaves the OS default (auto-tuned on Linux).
         * @return this.
         */
        public Builder tcpbufSize(final int bytes)
        {
            this.tcpbufSize = bytes;
            return this;
        }

        /**
         * @param level debug_level, any case.
         * @return this.
         */
        public Builder debugLevel(final String level)
        {
            this.debugLevel = level.toUpperCase(Locale.ROOT);
            return this;
        }

        /**
         * @param enabled enabled.
         * @return this.
         */
        public Builder enabled(final boolean enabled)
        {
            this.enabled = enabled;
            return this;
        }

        /**
         * @param bytes max_frame_size.
         * @return this.
         */
        public Builder maxFrameSize(final int bytes)
        {
            this.maxFrameSize = bytes;
            return this;
        }

        /**
         * @param bytes client_outbound_limit.
         * @return this.
         */
        public Builder clientOutboundLimit(final int bytes)
        {
            this.clientOutboundLimit = bytes;
            return this;
        }

        /**
         * @param kind idle_strategy.
         * @return this.
         */
        public Builder idleStrategy(final IdleStrategyKind kind)
        {
            this.idleStrategy = kind;
            return this;
        }

        /**
         * @param ms heartbeat_interval_ms.
         * @return this.
         */
        public Builder heartbeatIntervalMs(final int ms)
        {
            this.heartbeatIntervalMs = ms;
            return this;
        }

        /**
         * @param ms peer_timeout_ms.
         * @return this.
         */
        public Builder peerTimeoutMs(final int ms)
        {
            this.peerTimeoutMs = ms;
            return this;
        }

        /**
         * @param ms reconnect_initial_ms.
         * @return this.
         */
        public Builder reconnectInitialMs(final int ms)
        {
            this.reconnectInitialMs = ms;
            return this;
        }

        /**
         * @param n max_groups_per_client.
         * @return this.
         */
        public Builder maxGroupsPerClient(final int n)
        {
            this.maxGroupsPerClient = n;
            return this;
        }

        /**
         * @param n max_clients.
         * @return this.
         */
        public Builder maxClients(final int n)
        {
            this.maxClients = n;
            return this;
        }

        /**
         * @param n max_handshakes.
         * @return this.
         */
        public Builder maxHandshakes(final int n)
        {
            this.maxHandshakes = n;
            return this;
        }

        /**
         * @param path counters_file; null for the per-node default.
         * @return this.
         */
        public Builder countersFile(final String path)
        {
            this.countersFile = path;
            return this;
        }

        /**
         * @param bytes max_buffer_memory.
         * @return this.
         */
        public Builder maxBufferMemory(final int bytes)
        {
            this.maxBufferMemory = bytes;
            return this;
        }

        /**
         * @param address metrics_listen; null turns the HTTP listener off.
         * @return this.
         */
        public Builder metricsListen(final ListenConfig address)
        {
            this.metricsListen = address;
            return this;
        }

        /**
         * @param path log_file; null for standard output.
         * @return this.
         */
        public Builder logFile(final String path)
        {
            this.logFile = path;
            return this;
        }

        /**
         * @param format log_format: {@code text} or {@code json}, any case.
         * @return this.
         */
        public Builder logFormat(final String format)
        {
            this.logFormat = format.toLowerCase(Locale.ROOT);
            return this;
        }

        /**
         * @param secret the cluster secret, or null for none (nobody authenticates).
         * @return this.
         */
        public Builder authSecret(final Secret secret)
        {
            this.authSecret = secret;
            return this;
        }

        /**
         * @param path   {@code auth_secret_file}, for display; null when the secret was given in code.
         * @param secret the secret read from it.
         * @return this.
         */
        public Builder authSecretFile(final String path, final Secret secret)
        {
            this.authSecretFile = path;
            this.authSecret = secret;
            return this;
        }

        /**
         * @param secret the admin secret (state-changing admin commands need it), or null for none.
         * @return this.
         */
        public Builder adminSecret(final Secret secret)
        {
            this.adminSecret = secret;
            return this;
        }

        /**
         * @param path   {@code admin_secret_file}, for display; null when the secret was given in code.
         * @param secret the secret read from it.
         * @return this.
         */
        public Builder adminSecretFile(final String path, final Secret secret)
        {
            this.adminSecretFile = path;
            this.adminSecret = secret;
            return this;
        }

        /**
         * @param check peer_address_check.
         * @return this.
         */
        public Builder peerAddressCheck(final boolean check)
        {
            this.peerAddressCheck = check;
            return this;
        }

        /**
         * @param ms auth_timeout_ms.
         * @return this.
         */
        public Builder authTimeoutMs(final int ms)
        {
            this.authTimeoutMs = ms;
            return this;
        }

        /**
         * @param perSecond connect_rate; 0 turns the per-address limit off.
         * @return this.
         */
        public Builder connectRate(final int perSecond)
        {
            this.connectRate = perSecond;
            return this;
        }

        /**
         * @param connections connect_burst.
         * @return this.
         */
        public Builder connectBurst(final int connections)
        {
            this.connectBurst = connections;
            return this;
        }

        /**
         * @return the configuration.
         * @throws IllegalArgumentException on a bad or duplicate peer name, a port outside 1..65535,
         *                                  peer_timeout_ms not greater than heartbeat_interval_ms, or
         *                                  max_frame_size or client_outbound_limit outside the ranges that keep
         *                                  the server's buffer arithmetic within an int.
         */
        public ServerConfig build()
        {
            final Map<String, PeerConfig> seen = new HashMap<>();
            for (final PeerConfig peer : peers)
            {
                if (!ConfigValidator.PEER_NAME.matcher(peer.name()).matches())
                {
                    throw new IllegalArgumentException("invalid peer name '" + peer.name() + "'");
                }
                if (seen.put(peer.name(), peer) != null)
                {
                    throw new IllegalArgumentException("duplicate peer name '" + peer.name() + "'");
                }
                if (peer.port() < HostPort.MIN_PORT || peer.port() > HostPort.MAX_PORT)
                {
                    throw new IllegalArgumentException("peer '" + peer.name() + "' port out of range: " + peer.port());
                }
            }
            if (maxFrameSize < 1024 || maxFrameSize > ConfigValidator.MAX_FRAME)
            {
                throw new IllegalArgumentException("max_frame_size " + maxFrameSize + " is out of range 1024.." +
                    ConfigValidator.MAX_FRAME);
            }
            if (clientOutboundLimit < 1 || clientOutboundLimit > ConfigValidator.MAX_CLIENT_OUTBOUND)
            {
                throw new IllegalArgumentException("client_outbound_limit " + clientOutboundLimit +
                    " is out of range 1.." + ConfigValidator.MAX_CLIENT_OUTBOUND);
            }
            if (!"text".equals(logFormat) && !"json".equals(logFormat))
            {
                throw new IllegalArgumentException("log_format '" + logFormat + "' is not text or json");
            }
            if (authTimeoutMs < 1 || connectRate < 0 || connectBurst < 1)
            {
                throw new IllegalArgumentException("auth_timeout_ms (" + authTimeoutMs + ") and connect_burst (" +
                    connectBurst + ") must be positive, connect_rate (" + connectRate + ") not negative");
            }
            if (peerTimeoutMs <= heartbeatIntervalMs)
            {
                throw new IllegalArgumentException("peer_timeout_ms (" + peerTimeoutMs +
                    ") must be greater than heartbeat_interval_ms (" + heartbeatIntervalMs + ")");
            }
            return new ServerConfig(this);
        }
    }
}
