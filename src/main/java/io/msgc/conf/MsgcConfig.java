package io.msgc.conf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded msgc configuration file in Momentum/Ecelerity syntax: the {@code msgc_server},
 * {@code msgcserver_listener} and {@code msgc_client} scopes, typed and validated. Scopes and options of other
 * Momentum modules are kept out of the way and listed by {@link #ignored()}.
 */
public final class MsgcConfig
{
    private final ServerConfig server;
    private final ListenerConfig listener;
    private final ClientConfig client;
    private final List<String> ignored;

    private MsgcConfig(final ConfigValidator validated)
    {
        server = validated.server();
        listener = validated.listener();
        client = validated.client();
        ignored = List.copyOf(validated.ignored());
    }

    private MsgcConfig(final ServerConfig server, final ListenerConfig listener)
    {
        this.server = server;
        this.listener = listener;
        this.client = ClientConfig.builder().build();
        this.ignored = List.of();
    }

    /**
     * @param server   a {@code msgc_server} scope, e.g. built with {@link ServerConfig#builder()}.
     * @param listener a {@code msgcserver_listener} scope.
     * @return a configuration of those two scopes (the client scope at its defaults).
     */
    public static MsgcConfig of(final ServerConfig server, final ListenerConfig listener)
    {
        return new MsgcConfig(server, listener);
    }

    /**
     * Read, parse and validate a file; includes are resolved relative to the including file's directory.
     *
     * @param file the file; error messages name it as given.
     * @return the configuration.
     * @throws ConfigException with every error found.
     */
    public static MsgcConfig load(final Path file) throws ConfigException
    {
        final String text;
        final Path identity;
        try
        {
            text = Files.readString(file, StandardCharsets.UTF_8);
            identity = file.toRealPath();
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new ConfigException(List.of(new ConfigError(file.toString(), 1, 1,
                "cannot read configuration file: " + ex)));
        }
        final Path parent = file.getParent();
        return build(file.toString(), text, parent == null ? Path.of("") : parent, identity);
    }

    /**
     * Parse and validate text; includes in it are resolved relative to the current directory.
     *
     * @param fileName the name error messages use.
     * @param text     the configuration text.
     * @return the configuration.
     * @throws ConfigException with every error found.
     */
    public static MsgcConfig parse(final String fileName, final String text) throws ConfigException
    {
        Path identity;
        try
        {
            identity = Path.of(fileName).toAbsolutePath().normalize();
        }
        catch (final RuntimeException ex)
        {
            // a name that is not a path only needs to be distinct from real files for cycle detection
            identity = Path.of("").toAbsolutePath().resolve("<" + fileName.hashCode() + ">");
        }
        return build(fileName, text, Path.of(""), identity);
    }

    private static MsgcConfig build(final String display, final String text, final Path baseDir, final Path identity)
        throws ConfigException
    {
        final ConfigParser parser = new ConfigParser();
        final ConfigNode root = new ConfigNode(null, null);
        parser.parseFile(root, display, text, baseDir, identity);
        final List<ConfigError> errors = new ArrayList<>(parser.errors());
        if (parser.structuralErrors())
        {
            // an incomplete tree would add errors that are only echoes of the syntax error
            throw new ConfigException(errors);
        }
        final ConfigValidator validator = new ConfigValidator(errors);
        validator.validate(root);
        if (!errors.isEmpty())
        {
            throw new ConfigException(errors);
        }
        return new MsgcConfig(validator);
    }

    /**
     * @return the {@code msgc_server} scope, or null when the file has none.
     */
    public ServerConfig server()
    {
        return server;
    }

    /**
     * @return the {@code msgcserver_listener} scope; empty (no Listen, no ACL) when absent, never null.
     */
    public ListenerConfig listener()
    {
        return listener;
    }

    /**
     * @return the {@code msgc_client} scope; every default when absent, never null.
     */
    public ClientConfig client()
    {
        return client;
    }

    /**
     * @return one line per top-level scope or option of another module, e.g.
     *         {@code ignored scope 'cluster' at conf/eccluster.conf:3:1}.
     */
    public List<String> ignored()
    {
        return ignored;
    }

    /**
     * @return the effective configuration, defaults included, one {@code scope.option = value} per line (for
     *         {@code msgcd --check}), then the ignored scopes as {@code #} comments.
     */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder();
        if (server == null)
        {
            line(sb, "msgc_server", "(absent)");
        }
        else
        {
            final ServerConfig s = server;
            line(sb, "msgc_server.peers", s.peersDescription());
            line(sb, "msgc_server.port", s.port());
            line(sb, "msgc_server.connect_timeout", s.connectTimeout());
            line(sb, "msgc_server.idle_timeout", s.idleTimeout());
            line(sb, "msgc_server.keepalive_interval", s.keepaliveInterval());
            line(sb, "msgc_server.reconnect_interval", s.reconnectInterval());
            line(sb, "msgc_server.max_backlog", s.maxBacklog());
            line(sb, "msgc_server.messages_per_iter", s.messagesPerIter());
            line(sb, "msgc_server.tcpbuf_size", s.tcpbufSize());
            line(sb, "msgc_server.debug_level", s.debugLevel());
            line(sb, "msgc_server.enabled", s.enabled());
            line(sb, "msgc_server.max_frame_size", s.maxFrameSize());
            line(sb, "msgc_server.client_outbound_limit", s.clientOutboundLimit());
            line(sb, "msgc_server.idle_strategy", s.idleStrategy().configName());
            line(sb, "msgc_server.heartbeat_interval_ms", s.heartbeatIntervalMs());
            line(sb, "msgc_server.peer_timeout_ms", s.peerTimeoutMs());
            line(sb, "msgc_server.reconnect_initial_ms", s.reconnectInitialMs());
            line(sb, "msgc_server.max_groups_per_client", s.maxGroupsPerClient());
            line(sb, "msgc_server.max_clients", s.maxClients());
            line(sb, "msgc_server.counters_file", s.countersFile() == null ? "(per-node default)" : s.countersFile());
            line(sb, "msgc_server.metrics_listen", s.metricsListen() == null ? "(off)" :
                s.metricsListen().host().isEmpty() ? ":" + s.metricsListen().port() + " (own peers host)" :
                s.metricsListen().host() + ":" + s.metricsListen().port());
            line(sb, "msgc_server.log_file", s.logFile() == null ? "(standard output)" : s.logFile());
            line(sb, "msgc_server.log_format", s.logFormat());
        }
        if (listener.listens().isEmpty())
        {
            line(sb, "msgcserver_listener.listen", "(own peers entry)");
        }
        for (final ListenConfig listen : listener.listens())
        {
            line(sb, "msgcserver_listener.listen", (listen.anyInterface() ? "*" : listen.host()) + ":" + listen.port());
        }
        if (listener.acl().isEmpty())
        {
            line(sb, "msgcserver_listener.peer", "(none: everyone allowed)");
        }
        for (final AclRule rule : listener.acl())
        {
            line(sb, "msgcserver_listener.peer", rule);
        }
        final ClientConfig c = client;
        line(sb, "msgc_client.server", "(" + String.join(" ", c.servers().stream().map(HostPort::toString).toList()) +
            ")");
        line(sb, "msgc_client.bind_address", c.bindAddress() == null ? "(unset)" : c.bindAddress());
        line(sb, "msgc_client.name", c.name() == null ? "(unset)" : c.name());
        line(sb, "msgc_client.connect_timeout", c.connectTimeout());
        line(sb, "msgc_client.idle_timeout", c.idleTimeout());
        line(sb, "msgc_client.keepalive_interval", c.keepaliveInterval());
        line(sb, "msgc_client.reconnect_interval", c.reconnectInterval());
        line(sb, "msgc_client.reconnect", c.reconnect());
        line(sb, "msgc_client.reconnect_initial_ms", c.reconnectInitialMs());
        line(sb, "msgc_client.send_queue_capacity", c.sendQueueCapacity());
        line(sb, "msgc_client.max_frame_size", c.maxFrameSize());
        for (final String note : ignored)
        {
            sb.append("# ").append(note).append('\n');
        }
        return sb.toString();
    }

    private static void line(final StringBuilder sb, final String key, final Object value)
    {
        sb.append(key).append(" = ").append(value).append('\n');
    }
}
