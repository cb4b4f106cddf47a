package io.msgc.conf;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;

/**
 * Turns the generic {@link ConfigNode} tree into the typed {@link ServerConfig}, {@link ListenerConfig} and
 * {@link ClientConfig}: checks option names, types and ranges, reporting every problem at its token and
 * carrying on, and lists the other modules' scopes as ignored.
 */
final class ConfigValidator
{
    /** Node names, checked after lowercasing. */
    static final Pattern PEER_NAME = Pattern.compile("[a-z0-9_.-]{1,31}");
    /** Client private names. */
    static final Pattern CLIENT_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,31}");

    static final String SERVER = "msgc_server";
    static final String LISTENER = "msgcserver_listener";
    static final String CLIENT = "msgc_client";

    private static final List<String> SERVER_OPTIONS = List.of("admin_secret_file", "auth_secret_file",
        "auth_timeout_ms", "client_outbound_limit", "connect_burst", "connect_rate", "connect_timeout",
        "counters_file", "debug_level", "enabled", "heartbeat_interval_ms", "idle_strategy", "idle_timeout",
        "keepalive_interval", "log_file", "log_format", "max_backlog", "max_buffer_memory", "max_clients",
        "max_frame_size", "max_groups_per_client", "max_handshakes", "messages_per_iter", "metrics_listen",
        "peer_address_check", "peer_timeout_ms", "peers", "port", "reconnect_initial_ms", "reconnect_interval",
        "slow_consumer_timeout", "tcpbuf_size");
    private static final List<String> CLIENT_OPTIONS = List.of("auth_secret_file", "bind_address", "connect_timeout",
        "debug_level", "enabled", "idle_timeout", "keepalive_interval", "max_frame_size", "name", "reconnect",
        "reconnect_initial_ms", "reconnect_interval", "send_queue_capacity", "server");
    private static final List<String> LISTENER_OPTIONS = List.of("debug_level", "enabled");
    private static final List<String> DEBUG_LEVELS = List.of("DEBUG", "INFO", "NOTICE", "WARNING", "ERROR",
        "CRITICAL");
    /** Momentum's default debug_level. */
    static final String DEFAULT_DEBUG_LEVEL = "ERROR";
    private static final String BOOLEANS = "on/off, true/false, yes/no, enabled/disabled, 1/0";
    /*
     * Integer ranges are chosen so that what msgc computes from a value fits an int: seconds * 1000 (86,400,000),
     * max_frame_size plus headers, (max_frame_size + 1024) * 8 rounded to a power of two (2^30),
     * client_outbound_limit plus one frame and alignment, send_queue_capacity rounded to a power of two.
     */
    /** Largest value of an option in seconds: one day. */
    private static final int MAX_SECONDS = 86400;
    /** Largest max_frame_size: 64 MiB. */
    static final int MAX_FRAME = 64 * 1024 * 1024;
    /** Largest client_outbound_limit: 1 GiB, so the limit plus a frame plus alignment stays below 2^31. */
    static final int MAX_CLIENT_OUTBOUND = 1 << 30;
    /** Largest send_queue_capacity: 1 GiB, a power of two, so rounding up cannot pass 2^30. */
    static final int MAX_SEND_QUEUE = 1 << 30;

    /** The common module options of a scope without a builder of its own. */
    private static final class CommonOptions
    {
        private boolean enabled = true;
        private String debugLevel = DEFAULT_DEBUG_LEVEL;
    }

    private final ConfigErrors errors;
    private final boolean readSecrets;
    private final List<String> ignored = new ArrayList<>();
    private ServerConfig server;
    private ListenerConfig listener = new ListenerConfig(List.of(), List.of(), true, DEFAULT_DEBUG_LEVEL);
    private ClientConfig client = ClientConfig.builder().build();
    private int serverPort = ServerConfig.DEFAULT_PORT;

    /**
     * @param errors where problems are appended.
     */
    ConfigValidator(final ConfigErrors errors)
    {
        this(errors, true);
    }

    /**
     * @param errors      where problems are appended.
     * @param readSecrets false to leave secret files unread (tools that only need addresses and paths); a scope
     *                    that names one then has no secret.
     */
    ConfigValidator(final ConfigErrors errors, final boolean readSecrets)
    {
        this.errors = errors;
        this.readSecrets = readSecrets;
    }

    /**
     * Validate the whole tree; results are read with the accessors afterwards.
     *
     * @param root the file's top-level scope.
     */
    void validate(final ConfigNode root)
    {
        ConfigNode listenerNode = null;
        for (final ConfigMember member : root.members())
        {
            if (member instanceof ConfigNode.Option option)
            {
                if (isOurs(option.name()))
                {
                    error(option.nameToken(), "expected a scope '" + option.name() + " { ... }', found an option");
                }
                else
                {
                    ignored.add("ignored option '" + option.name() + "' at " + option.nameToken().where());
                }
                continue;
            }
            final ConfigNode scope = (ConfigNode)member;
            if (!isOurs(scope.name))
            {
                ignored.add("ignored scope '" + (scope.arg == null ? scope.name : scope.name + " " + scope.arg) +
                    "' at " + scope.nameToken.where());
            }
            else if (scope.argToken != null)
            {
                error(scope.argToken, "scope '" + scope.name + "' takes no instance name, found " +
                    scope.argToken.describe());
            }
            else if (SERVER.equals(scope.name))
            {
                server = server(scope);
            }
            else if (LISTENER.equals(scope.name))
            {
                listenerNode = scope;
            }
            else
            {
                client = client(scope);
            }
        }
        // after msgc_server: a Listen address without a port takes the server's port
        if (listenerNode != null)
        {
            listener = listener(listenerNode);
        }
    }

    private static boolean isOurs(final String name)
    {
        return SERVER.equals(name) || LISTENER.equals(name) || CLIENT.equals(name);
    }

    ServerConfig server()
    {
        return server;
    }

    ListenerConfig listener()
    {
        return listener;
    }

    ClientConfig client()
    {
        return client;
    }

    List<String> ignored()
    {
        return ignored;
    }

    private ServerConfig server(final ConfigNode scope)
    {
        final ServerConfig.Builder b = ServerConfig.builder();
        final Map<String, Integer> ints = new HashMap<>();
        final Map<String, ConfigNode.Option> given = new HashMap<>();
        for (final ConfigNode.Option o : scope.options())
        {
            given.put(o.name(), o);
            switch (o.name())
            {
                case "peers" -> { }
                case "port" -> integer(o, 1, HostPort.MAX_PORT, ints, b::port);
                case "connect_timeout" -> integer(o, 1, MAX_SECONDS, ints, b::connectTimeout);
                case "idle_timeout" -> integer(o, 1, MAX_SECONDS, ints, b::idleTimeout);
                case "slow_consumer_timeout" -> integer(o, 1, MAX_SECONDS, ints, b::slowConsumerTimeout);
                case "keepalive_interval" -> integer(o, 1, MAX_SECONDS, ints, b::keepaliveInterval);
                case "reconnect_interval" -> integer(o, 1, MAX_SECONDS, ints, b::reconnectInterval);
                case "max_backlog" -> integer(o, 1, 10_000_000, ints, b::maxBacklog);
                case "messages_per_iter" -> integer(o, 1, 1_000_000, ints, b::messagesPerIter);
                case "tcpbuf_size" -> integer(o, 0, MAX_FRAME, ints, b::tcpbufSize);
                case "max_frame_size" -> integer(o, 1024, MAX_FRAME, ints, b::maxFrameSize);
                case "client_outbound_limit" -> integer(o, 65536, MAX_CLIENT_OUTBOUND, ints, b::clientOutboundLimit);
                case "heartbeat_interval_ms" -> integer(o, 1, 60_000, ints, b::heartbeatIntervalMs);
                case "peer_timeout_ms" -> integer(o, 2, 600_000, ints, b::peerTimeoutMs);
                case "reconnect_initial_ms" -> integer(o, 1, 60_000, ints, b::reconnectInitialMs);
                case "max_groups_per_client" -> integer(o, 1, 1_000_000, ints, b::maxGroupsPerClient);
                case "max_clients" -> integer(o, 1, 1_000_000, ints, b::maxClients);
                case "max_handshakes" -> integer(o, 1, 1_000_000, ints, b::maxHandshakes);
                case "max_buffer_memory" -> integer(o, 1 << 20, Integer.MAX_VALUE, ints, b::maxBufferMemory);
                case "auth_timeout_ms" -> integer(o, 100, 600_000, ints, b::authTimeoutMs);
                case "connect_rate" -> integer(o, 0, 1_000_000, ints, b::connectRate);
                case "connect_burst" -> integer(o, 1, 1_000_000, ints, b::connectBurst);
                case "peer_address_check" -> enabled(o, b::peerAddressCheck);
                case "auth_secret_file" -> secretFile(o, b::authSecretFile);
                case "admin_secret_file" -> secretFile(o, b::adminSecretFile);
                case "enabled" -> enabled(o, b::enabled);
                case "debug_level" -> debugLevel(o, b::debugLevel);
                case "idle_strategy" ->
                {
                    final String name = string(o);
                    final IdleStrategyKind kind = name == null ? null : IdleStrategyKind.fromConfigName(name);
                    if (name != null && kind == null)
                    {
                        error(o.value().start, "invalid idle_strategy " + o.value().describe() +
                            "; valid: busy-spin, backoff, blocking");
                    }
                    else if (kind != null)
                    {
                        b.idleStrategy(kind);
                    }
                }
                case "counters_file" -> path(o, b::countersFile);
                case "log_file" -> path(o, b::logFile);
                case "log_format" ->
                {
                    final String format = string(o);
                    if (format != null && !"text".equalsIgnoreCase(format) && !"json".equalsIgnoreCase(format))
                    {
                        error(o.value().start, "invalid log_format " + o.value().describe() + "; valid: text, json");
                    }
                    else if (format != null)
                    {
                        b.logFormat(format);
                    }
                }
                case "metrics_listen" -> metricsListen(o, b);
                default -> unknown(o.nameToken(), o.name(), SERVER, SERVER_OPTIONS);
            }
        }
        scopesAsOptions(scope, SERVER, SERVER_OPTIONS);

        serverPort = ints.getOrDefault("port", ServerConfig.DEFAULT_PORT);
        final int heartbeat = ints.getOrDefault("heartbeat_interval_ms", 250);
        final int timeout = ints.getOrDefault("peer_timeout_ms", 1500);
        if (timeout <= heartbeat)
        {
            final ConfigNode.Option at = given.containsKey("peer_timeout_ms") ?
                given.get("peer_timeout_ms") : given.get("heartbeat_interval_ms");
            error(at.nameToken(), "peer_timeout_ms (" + timeout + ") must be greater than heartbeat_interval_ms (" +
                heartbeat + ")");
            b.peerTimeoutMs(1500).heartbeatIntervalMs(250);
        }

        final ConfigNode.Option peers = given.get("peers");
        if (peers == null)
        {
            error(scope.nameToken, "msgc_server has no 'peers' option; at least one peer is required");
        }
        else
        {
            peers(peers, b);
        }
        return b.build();
    }

    private void path(final ConfigNode.Option o, final Consumer<String> set)
    {
        final String path = string(o);
        if (path != null && (path.isEmpty() || path.indexOf('\0') >= 0))
        {
            error(o.value().start, "invalid path " + o.value().describe() + " for '" + o.name() + "'");
        }
        else if (path != null)
        {
            set.accept(path);
        }
    }

    /**
     * A secret file option: a path, relative to the directory of the file that sets it, read now (mode checked) so
     * that a missing, open or empty file is an error at the option's value.
     */
    private void secretFile(final ConfigNode.Option o, final BiConsumer<String, Secret> set)
    {
        final String text = string(o);
        if (text == null)
        {
            return;
        }
        if (text.isEmpty() || text.indexOf('\0') >= 0)
        {
            error(o.value().start, "invalid path " + o.value().describe() + " for '" + o.name() + "'");
            return;
        }
        Path path;
        try
        {
            path = Path.of(text);
            if (!path.isAbsolute())
            {
                final Path dir = Path.of(o.value().start.file).getParent();
                path = dir == null ? path : dir.resolve(path);
            }
        }
        catch (final InvalidPathException ex)
        {
            error(o.value().start, "invalid path " + o.value().describe() + " for '" + o.name() + "': " +
                ex.getReason());
            return;
        }
        if (!readSecrets)
        {
            set.accept(path.toString(), null);
            return;
        }
        try
        {
            set.accept(path.toString(), Secret.read(path, o.name()));
        }
        catch (final IllegalArgumentException ex)
        {
            error(o.value().start, ex.getMessage());
        }
    }

    private void metricsListen(final ConfigNode.Option o, final ServerConfig.Builder b)
    {
        final String text = string(o);
        if (text == null)
        {
            return;
        }
        try
        {
            final String[] parts = HostPort.split(text);
            if (parts[1] == null)
            {
                throw new IllegalArgumentException("no port; write \"host:port\" or \"*:port\"");
            }
            if (!parts[0].isEmpty() && !"*".equals(parts[0]))
            {
                HostPort.checkHost(parts[0]);
            }
            b.metricsListen(new ListenConfig(parts[0], HostPort.parsePort(parts[1])));
        }
        catch (final IllegalArgumentException ex)
        {
            error(o.value().start, "invalid metrics_listen \"" + text + "\": " + ex.getMessage());
        }
    }

    private void peers(final ConfigNode.Option o, final ServerConfig.Builder b)
    {
        final ConfigValue value = o.value();
        if (value.kind != ConfigValue.Kind.MAP)
        {
            error(value.start, "expected a map [ name = \"host:port\" ... ] for 'peers', found " + value.describe());
            return;
        }
        if (value.entries.isEmpty())
        {
            error(value.start, "empty peers map; at least one peer is required");
            return;
        }
        final Map<String, ConfigToken> names = new HashMap<>();
        final Map<String, String> addresses = new LinkedHashMap<>();
        for (final ConfigValue.Entry entry : value.entries)
        {
            final String name = entry.key().text.toLowerCase(Locale.ROOT);
            final ConfigValue address = entry.value();
            boolean ok = true;
            if (!PEER_NAME.matcher(name).matches())
            {
                error(entry.key(), "invalid peer name '" + entry.key().text +
                    "'; must be 1-31 characters of [a-z0-9_.-]");
                ok = false;
            }
            else if (names.containsKey(name))
            {
                error(entry.key(), "duplicate peer name '" + name + "' (first at " + names.get(name).where() + ")");
                ok = false;
            }
            else
            {
                names.put(name, entry.key());
            }
            if (!address.isScalar())
            {
                error(address.start, "expected \"host:port\" for peer '" + name + "', found " + address.describe());
                continue;
            }
            final HostPort hp;
            try
            {
                hp = HostPort.parse(address.text(), serverPort);
            }
            catch (final IllegalArgumentException ex)
            {
                error(address.start, "invalid address \"" + address.text() + "\" for peer '" + name + "': " +
                    ex.getMessage());
                continue;
            }
            final String key = hp.toString();
            if (addresses.containsKey(key))
            {
                error(address.start, "peer '" + name + "' has the same address " + key + " as peer '" +
                    addresses.get(key) + "'");
                continue;
            }
            addresses.put(key, name);
            if (ok)
            {
                b.peer(name, hp.host(), hp.port());
            }
        }
    }

    private ListenerConfig listener(final ConfigNode scope)
    {
        final CommonOptions common = new CommonOptions();
        for (final ConfigNode.Option o : scope.options())
        {
            switch (o.name())
            {
                case "enabled" -> enabled(o, on -> common.enabled = on);
                case "debug_level" -> debugLevel(o, level -> common.debugLevel = level.toUpperCase(Locale.ROOT));
                default -> error(o.nameToken(), "unknown option '" + o.name() + "' in " + LISTENER +
                    "; valid options: " + String.join(", ", LISTENER_OPTIONS) + "; valid scopes: Listen, Peer");
            }
        }
        final List<ListenConfig> listens = new ArrayList<>();
        final List<AclRule> acl = new ArrayList<>();
        final Map<String, ConfigToken> seen = new HashMap<>();
        for (final ConfigNode child : scope.scopes())
        {
            if ("listen".equals(child.name))
            {
                final ListenConfig listen = listen(child);
                if (listen != null &&
                    checkUnique(seen, "listen " + listen, child.argToken, "duplicate Listen address " + listen))
                {
                    listens.add(listen);
                }
            }
            else if ("peer".equals(child.name))
            {
                peerRule(child, seen, acl);
            }
            else if (LISTENER_OPTIONS.contains(child.name))
            {
                error(child.nameToken, "expected '" + child.name + " = value', found a scope");
            }
            else
            {
                error(child.nameToken, "unknown scope '" + child.name + "' in " + LISTENER +
                    "; valid scopes: Listen, Peer");
            }
        }
        return new ListenerConfig(listens, acl, common.enabled, common.debugLevel);
    }

    private boolean checkUnique(final Map<String, ConfigToken> seen, final String key, final ConfigToken at,
        final String message)
    {
        final ConfigToken first = seen.putIfAbsent(key, at);
        if (first != null)
        {
            error(at, message + " (first at " + first.where() + ")");
            return false;
        }
        return true;
    }

    private ListenConfig listen(final ConfigNode scope)
    {
        final String label = "Listen" + (scope.arg == null ? "" : " \"" + ConfigToken.shown(scope.arg) + "\"");
        for (final ConfigNode.Option o : scope.options())
        {
            error(o.nameToken(), "unknown option '" + o.name() + "' in " + label +
                "; Listen takes no options, only Peer scopes");
        }
        // the rules of this Listen only: the same network may also be a listener-level rule (this one then wins)
        final List<AclRule> acl = new ArrayList<>();
        final Map<String, ConfigToken> seen = new HashMap<>();
        for (final ConfigNode child : scope.scopes())
        {
            if ("peer".equals(child.name))
            {
                peerRule(child, seen, acl);
            }
            else
            {
                error(child.nameToken, "unknown scope '" + child.name + "' in " + label + "; valid scopes: Peer");
            }
        }
        if (scope.argToken == null)
        {
            error(scope.nameToken, "Listen needs an address: Listen \"host:port\" { }");
            return null;
        }
        final String text = scope.arg;
        try
        {
            final String[] parts = HostPort.split(text);
            final String host = parts[0];
            if (!host.isEmpty() && !"*".equals(host))
            {
                HostPort.checkHost(host);
            }
            return new ListenConfig(host, parts[1] == null ? serverPort : HostPort.parsePort(parts[1]), acl);
        }
        catch (final IllegalArgumentException ex)
        {
            error(scope.argToken, "invalid Listen address \"" + ConfigToken.shown(text) + "\": " + ex.getMessage());
            return null;
        }
    }

    /** Validate one Peer scope and add its rule to {@code acl} unless its network is already in {@code seen}. */
    private void peerRule(final ConfigNode scope, final Map<String, ConfigToken> seen, final List<AclRule> acl)
    {
        boolean allow = true;
        for (final ConfigNode.Option o : scope.options())
        {
            if ("action".equals(o.name()))
            {
                final String action = string(o);
                if ("allow".equalsIgnoreCase(action) || "deny".equalsIgnoreCase(action))
                {
                    allow = "allow".equalsIgnoreCase(action);
                }
                else if (action != null)
                {
                    error(o.value().start, "invalid action " + o.value().describe() + " in " + peerLabel(scope) +
                        "; valid: allow, deny");
                }
            }
            else
            {
                unknown(o.nameToken(), o.name(), peerLabel(scope), List.of("action"));
            }
        }
        for (final ConfigNode child : scope.scopes())
        {
            unknown(child.nameToken, child.name, peerLabel(scope), List.of("action"));
        }
        if (scope.argToken == null)
        {
            error(scope.nameToken, "Peer needs a network: Peer \"10.0.0.0/8\" { action = allow }");
            return;
        }
        final AclRule rule;
        try
        {
            rule = AclRule.parse(scope.arg, allow);
        }
        catch (final IllegalArgumentException ex)
        {
            error(scope.argToken, "invalid CIDR \"" + ConfigToken.shown(scope.arg) + "\" in Peer; " + ex.getMessage());
            return;
        }
        if (checkUnique(seen, "peer " + rule.cidr(), scope.argToken, "duplicate Peer rule " + rule.cidr()))
        {
            acl.add(rule);
        }
    }

    private static String peerLabel(final ConfigNode scope)
    {
        return "Peer" + (scope.arg == null ? "" : " \"" + ConfigToken.shown(scope.arg) + "\"");
    }

    private ClientConfig client(final ConfigNode scope)
    {
        final ClientConfig.Builder b = ClientConfig.builder();
        final Map<String, Integer> ints = new HashMap<>();
        for (final ConfigNode.Option o : scope.options())
        {
            switch (o.name())
            {
                case "server" -> servers(o, b);
                case "connect_timeout" -> integer(o, 1, MAX_SECONDS, ints, b::connectTimeout);
                case "idle_timeout" -> integer(o, 1, MAX_SECONDS, ints, b::idleTimeout);
                case "keepalive_interval" -> integer(o, 1, MAX_SECONDS, ints, b::keepaliveInterval);
                case "reconnect_interval" -> integer(o, 1, MAX_SECONDS, ints, b::reconnectInterval);
                case "reconnect_initial_ms" -> integer(o, 1, 60_000, ints, b::reconnectInitialMs);
                case "send_queue_capacity" -> integer(o, 4096, MAX_SEND_QUEUE, ints, b::sendQueueCapacity);
                case "enabled" -> enabled(o, b::enabled);
                case "debug_level" -> debugLevel(o, b::debugLevel);
                case "max_frame_size" -> integer(o, 1024, MAX_FRAME, ints, b::maxFrameSize);
                case "auth_secret_file" -> secretFile(o, b::secretFile);
                case "reconnect" ->
                {
                    final Boolean on = bool(o);
                    if (on != null)
                    {
                        b.reconnect(on);
                    }
                }
                case "bind_address" ->
                {
                    final String host = string(o);
                    if (host != null)
                    {
                        try
                        {
                            HostPort.checkHost(host);
                            b.bindAddress(host);
                        }
                        catch (final IllegalArgumentException ex)
                        {
                            error(o.value().start, "invalid bind_address \"" + host + "\": " + ex.getMessage());
                        }
                    }
                }
                case "name" ->
                {
                    final String name = string(o);
                    if (name != null && !CLIENT_NAME.matcher(name).matches())
                    {
                        error(o.value().start, "invalid client name '" + name +
                            "'; must be 1-31 characters of [A-Za-z0-9_.-]");
                    }
                    else if (name != null)
                    {
                        b.name(name);
                    }
                }
                default -> unknown(o.nameToken(), o.name(), CLIENT, CLIENT_OPTIONS);
            }
        }
        scopesAsOptions(scope, CLIENT, CLIENT_OPTIONS);
        return b.build();
    }

    private void servers(final ConfigNode.Option o, final ClientConfig.Builder b)
    {
        final ConfigValue value = o.value();
        if (value.kind != ConfigValue.Kind.LIST)
        {
            error(value.start, "expected a list ( \"host:port\" ... ) for 'server', found " + value.describe());
            return;
        }
        if (value.items.isEmpty())
        {
            error(value.start, "empty server list; at least one server is required");
            return;
        }
        final Map<String, ConfigToken> seen = new HashMap<>();
        for (final ConfigValue item : value.items)
        {
            if (!item.isScalar())
            {
                error(item.start, "expected \"host:port\" in 'server' list, found " + item.describe());
                continue;
            }
            try
            {
                final HostPort hp = HostPort.parse(item.text(), ServerConfig.DEFAULT_PORT);
                if (checkUnique(seen, hp.toString(), item.start, "duplicate server address " + hp))
                {
                    b.server(hp.host(), hp.port());
                }
            }
            catch (final IllegalArgumentException ex)
            {
                error(item.start, "invalid server address \"" + item.text() + "\": " + ex.getMessage());
            }
        }
    }

    /** A scope where an option of ours is expected is a type error, or an unknown option. */
    private void scopesAsOptions(final ConfigNode scope, final String where, final List<String> valid)
    {
        for (final ConfigNode child : scope.scopes())
        {
            if (valid.contains(child.name))
            {
                error(child.nameToken, "expected '" + child.name + " = value', found a scope");
            }
            else
            {
                unknown(child.nameToken, child.name, where, valid);
            }
        }
    }

    private void unknown(final ConfigToken at, final String name, final String where, final List<String> valid)
    {
        error(at, "unknown option '" + name + "' in " + where + "; valid options: " + String.join(", ", valid));
    }

    private void integer(final ConfigNode.Option o, final int min, final int max, final Map<String, Integer> ints,
        final IntConsumer set)
    {
        final ConfigValue v = o.value();
        if (v.kind != ConfigValue.Kind.WORD || !v.text().matches("[0-9]+"))
        {
            error(v.start, "expected an integer " + min + ".." + max + " for '" + o.name() + "', found " +
                v.describe());
            return;
        }
        final long n = v.text().length() > 12 ? Long.MAX_VALUE : Long.parseLong(v.text());
        if (n < min || n > max)
        {
            error(v.start, "value " + ConfigToken.shown(v.text()) + " for '" + o.name() + "' is out of range " + min +
                ".." + max);
            return;
        }
        ints.put(o.name(), (int)n);
        set.accept((int)n);
    }

    /** The common module option {@code enabled}. */
    private void enabled(final ConfigNode.Option o, final Consumer<Boolean> set)
    {
        final Boolean on = bool(o);
        if (on != null)
        {
            set.accept(on);
        }
    }

    /** The common module option {@code debug_level}: one of {@link #DEBUG_LEVELS}, any case. */
    private void debugLevel(final ConfigNode.Option o, final Consumer<String> set)
    {
        final String level = string(o);
        if (level != null && !DEBUG_LEVELS.contains(level.toUpperCase(Locale.ROOT)))
        {
            error(o.value().start, "invalid debug_level " + o.value().describe() + "; valid: " +
                String.join(", ", DEBUG_LEVELS));
        }
        else if (level != null)
        {
            set.accept(level);
        }
    }

    private Boolean bool(final ConfigNode.Option o)
    {
        final ConfigValue v = o.value();
        if (v.isScalar())
        {
            switch (v.text().toLowerCase(Locale.ROOT))
            {
                case "on", "true", "yes", "enabled", "1":
                    return Boolean.TRUE;
                case "off", "false", "no", "disabled", "0":
                    return Boolean.FALSE;
                default:
                    break;
            }
        }
        error(v.start, "expected a boolean (" + BOOLEANS + ") for '" + o.name() + "', found " + v.describe());
        return null;
    }

    private String string(final ConfigNode.Option o)
    {
        final ConfigValue v = o.value();
        if (!v.isScalar())
        {
            error(v.start, "expected a string for '" + o.name() + "', found " + v.describe());
            return null;
        }
        return v.text();
    }

    private void error(final ConfigToken at, final String message)
    {
        errors.add(at.error(message));
    }
}
