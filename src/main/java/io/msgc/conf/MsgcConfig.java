package io.msgc.conf;

import java.nio.file.Path;
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
        return load(file, true);
    }

    /**
     * Read, parse and validate a file, optionally leaving its secret files unread: a tool that only needs
     * addresses and paths (e.g. {@code msgc stat}) then works for a user who may not read the secret.
     *
     * @param file        the file; error messages name it as given.
     * @param readSecrets false to leave {@code auth_secret_file} and {@code admin_secret_file} unread (the scopes
     *                    then have no secret).
     * @return the configuration.
     * @throws ConfigException with every error found.
     */
    public static MsgcConfig load(final Path file, final boolean readSecrets) throws ConfigException
    {
        return build(file.toString(), readSecrets, (parser, root) -> parser.parseMain(root, file.toString(), file));
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
        final Path fileIdentity = identity;
        return build(fileName, true, (parser, root) -> parser.parseMainText(root, fileName, text, Path.of(""), fileIdentity));
    }

    /** How the main file reaches the parser: read from disk or given as text. */
    @FunctionalInterface
    private interface Source
    {
        void parseInto(ConfigParser parser, ConfigNode root);
    }

    private static MsgcConfig build(final String display, final boolean readSecrets, final Source source)
        throws ConfigException
    {
        try
        {
            final ConfigParser parser = new ConfigParser();
            final ConfigNode root = new ConfigNode(null, null);
            source.parseInto(parser, root);
            final ConfigErrors errors = parser.errors();
            if (parser.structuralErrors())
            {
                // an incomplete tree would add errors that are only echoes of the syntax error
                throw new ConfigException(errors.list());
            }
            final ConfigValidator validator = new ConfigValidator(errors, readSecrets);
            validator.validate(root);
            if (!errors.isEmpty())
            {
                throw new ConfigException(errors.list());
            }
            return new MsgcConfig(validator);
        }
        catch (final RuntimeException | StackOverflowError ex)
        {
            // a bug of ours, not the user's: still an error in the documented form, never a stack trace
            throw new ConfigException(List.of(new ConfigError(display, 1, 1,
                "internal error while reading the configuration (" + ex + "); please report it with the file")));
        }
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
            line(sb, "msgc_server.slow_consumer_timeout", s.slowConsumerTimeout());
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
            line(sb, "msgc_server.max_handshakes", s.maxHandshakes());
            line(sb, "msgc_server.max_buffer_memory", s.maxBufferMemory());
            line(sb, "msgc_server.counters_file", s.countersFile() == null ? "(per-node default)" : s.countersFile());
            line(sb, "msgc_server.metrics_listen", s.metricsListen() == null ? "(off)" :
                s.metricsListen().host().isEmpty() ? ":" + s.metricsListen().port() + " (own peers host)" :
                s.metricsListen().host() + ":" + s.metricsListen().port());
            line(sb, "msgc_server.log_file", s.logFile() == null ? "(standard output)" : s.logFile());
            line(sb, "msgc_server.log_format", s.logFormat());
            line(sb, "msgc_server.auth_secret_file", secret(s.authSecretFile(), s.authSecret(),
                "(unset: nobody authenticates)"));
            line(sb, "msgc_server.admin_secret_file", secret(s.adminSecretFile(), s.adminSecret(),
                "(unset: the cluster secret allows every admin command)"));
            line(sb, "msgc_server.auth_timeout_ms", s.authTimeoutMs());
            line(sb, "msgc_server.peer_address_check", s.peerAddressCheck());
            line(sb, "msgc_server.connect_rate", s.connectRate());
            line(sb, "msgc_server.connect_burst", s.connectBurst());
        }
        line(sb, "msgcserver_listener.enabled", listener.enabled());
        line(sb, "msgcserver_listener.debug_level", listener.debugLevel());
        if (listener.listens().isEmpty())
        {
            line(sb, "msgcserver_listener.listen", "(own peers entry)");
        }
        boolean listenRules = false;
        for (final ListenConfig listen : listener.listens())
        {
            final StringBuilder rules = new StringBuilder();
            for (final AclRule rule : listen.acl())
            {
                rules.append(rules.length() == 0 ? " (" : ", ").append("Peer ").append(rule);
            }
            listenRules |= !listen.acl().isEmpty();
            line(sb, "msgcserver_listener.listen", listen + (rules.length() == 0 ? "" : rules + ")"));
        }
        if (listener.acl().isEmpty())
        {
            line(sb, "msgcserver_listener.peer", listenRules ? "(none)" : "(none: everyone allowed)");
        }
        for (final AclRule rule : listener.acl())
        {
            line(sb, "msgcserver_listener.peer", rule);
        }
        final ClientConfig c = client;
        line(sb, "msgc_client.enabled", c.enabled());
        line(sb, "msgc_client.debug_level", c.debugLevel());
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
        line(sb, "msgc_client.auth_secret_file", secret(c.secretFile(), c.secret(), "(unset)"));
        for (final String note : ignored)
        {
            sb.append("# ").append(note).append('\n');
        }
        return sb.toString();
    }

    /** A secret option as {@code --check} shows it: the file and fingerprints, never the secret. */
    private static String secret(final String file, final Secret secret, final String unset)
    {
        if (file == null)
        {
            return secret == null ? unset : "(given in code: " + secret + ")";
        }
        return file + (secret == null ? " (not read)" : " (" + secret + ")");
    }

    private static void line(final StringBuilder sb, final String key, final Object value)
    {
        sb.append(key).append(" = ").append(value).append('\n');
    }
}
