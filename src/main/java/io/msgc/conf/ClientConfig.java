package io.msgc.conf;

import org.agrona.ErrorHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code msgc_client} scope: which servers a client tries and how it connects. Momentum's option names and
 * defaults, plus msgc's own tunables (see docs/CONFIG.md). Immutable.
 */
public final class ClientConfig
{
    private final List<HostPort> servers;
    private final String bindAddress;
    private final int connectTimeout;
    private final int idleTimeout;
    private final int keepaliveInterval;
    private final int reconnectInterval;
    private final String name;
    private final boolean reconnect;
    private final int reconnectInitialMs;
    private final int sendQueueCapacity;
    private final int maxFrameSize;
    private final boolean singleThreaded;
    private final boolean enabled;
    private final String debugLevel;
    private final ErrorHandler errorHandler;
    private final String secretFile;
    private final Secret secret;

    private ClientConfig(final Builder b)
    {
        servers = b.servers.isEmpty() ?
            List.of(new HostPort("127.0.0.1", ServerConfig.DEFAULT_PORT)) : List.copyOf(b.servers);
        bindAddress = b.bindAddress;
        connectTimeout = b.connectTimeout;
        idleTimeout = b.idleTimeout;
        keepaliveInterval = b.keepaliveInterval;
        reconnectInterval = b.reconnectInterval;
        name = b.name;
        reconnect = b.reconnect;
        reconnectInitialMs = b.reconnectInitialMs;
        sendQueueCapacity = b.sendQueueCapacity;
        maxFrameSize = b.maxFrameSize;
        singleThreaded = b.singleThreaded;
        enabled = b.enabled;
        debugLevel = b.debugLevel;
        errorHandler = b.errorHandler;
        secretFile = b.secretFile;
        secret = b.secret;
    }

    /**
     * @return a builder holding every default and no servers (build() then uses 127.0.0.1:4809).
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return {@code server}: the servers to try, in order (default just 127.0.0.1:4809). */
    public List<HostPort> servers()
    {
        return servers;
    }

    /** @return {@code bind_address}: local host to bind before connecting, or null to let the OS choose. */
    public String bindAddress()
    {
        return bindAddress;
    }

    /** @return {@code connect_timeout} in seconds (default 60). */
    public int connectTimeout()
    {
        return connectTimeout;
    }

    /** @return {@code idle_timeout} in seconds: a silent server is dropped after this (default 30). */
    public int idleTimeout()
    {
        return idleTimeout;
    }

    /** @return {@code keepalive_interval} in seconds (default 5). */
    public int keepaliveInterval()
    {
        return keepaliveInterval;
    }

    /** @return {@code reconnect_interval} in seconds: the longest delay between reconnect attempts (default 5). */
    public int reconnectInterval()
    {
        return reconnectInterval;
    }

    /** @return {@code name}: the private name to ask for, or null to let the server pick one. */
    public String name()
    {
        return name;
    }

    /** @return {@code reconnect}: reconnect after losing the server (default true). */
    public boolean reconnect()
    {
        return reconnect;
    }

    /** @return {@code reconnect_initial_ms}: the first reconnect delay, doubled up to reconnect_interval. */
    public int reconnectInitialMs()
    {
        return reconnectInitialMs;
    }

    /** @return {@code send_queue_capacity} in bytes (default 1048576; the caller rounds to a power of two). */
    public int sendQueueCapacity()
    {
        return sendQueueCapacity;
    }

    /** @return {@code max_frame_size} in bytes (default 1048576). */
    public int maxFrameSize()
    {
        return maxFrameSize;
    }

    /** @return {@code enabled}, the common module option (default true). */
    public boolean enabled()
    {
        return enabled;
    }

    /** @return {@code debug_level}, the common module option, upper case (default ERROR). */
    public String debugLevel()
    {
        return debugLevel;
    }

    /**
     * @return true when the application promised that one thread makes every call on the client (set in code
     *         with {@link Builder#singleThreaded}; not a config-file option: it is a property of the program).
     */
    public boolean singleThreaded()
    {
        return singleThreaded;
    }

    /**
     * @return where the client reports an exception thrown by the application's message handler (the message is
     *         then skipped), or null for the client's default, which prints it to standard error. Set in code
     *         with {@link Builder#errorHandler}; not a config-file option.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * @return {@code auth_secret_file}: where {@link #secret()} was read from, or null.
     */
    public String secretFile()
    {
        return secretFile;
    }

    /**
     * @return the cluster secret this client proves, and requires the server to prove, or null for none.
     */
    public Secret secret()
    {
        return secret;
    }

    /**
     * Builds a {@link ClientConfig}; starts with every default. {@link #build()} checks only the sizes whose
     * arithmetic could overflow (max_frame_size, send_queue_capacity), not every range a file is held to.
     */
    public static final class Builder
    {
        private final List<HostPort> servers = new ArrayList<>();
        private String bindAddress;
        private int connectTimeout = 60;
        private int idleTimeout = 30;
        private int keepaliveInterval = 5;
        private int reconnectInterval = 5;
        private String name;
        private boolean reconnect = true;
        private int reconnectInitialMs = 100;
        private int sendQueueCapacity = 1048576;
        private int maxFrameSize = 1048576;
        private boolean singleThreaded;
        private boolean enabled = true;
        private String debugLevel = ConfigValidator.DEFAULT_DEBUG_LEVEL;
        private ErrorHandler errorHandler;
        private String secretFile;
        private Secret secret;

        private Builder()
        {
        }

        /**
         * Append a server to try; the first call replaces the default 127.0.0.1:4809.
         *
         * @param host host.
         * @param port port.
         * @return this.
         */
        public Builder server(final String host, final int port)
        {
            servers.add(new HostPort(host, port));
            return this;
        }

        /**
         * @param host local host to bind, or null.
         * @return this.
         */
        public Builder bindAddress(final String host)
        {
            this.bindAddress = host;
            return this;
        }

        /**
         * @param name private name, or null.
         * @return this.
         */
        public Builder name(final String name)
        {
            this.name = name;
            return this;
        }

        /**
         * @param reconnect reconnect after losing the server.
         * @return this.
         */
        public Builder reconnect(final boolean reconnect)
        {
            this.reconnect = reconnect;
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
         * @param seconds reconnect_interval.
         * @return this.
         */
        public Builder reconnectInterval(final int seconds)
        {
            this.reconnectInterval = seconds;
            return this;
        }

        /**
         * @param bytes send_queue_capacity.
         * @return this.
         */
        public Builder sendQueueCapacity(final int bytes)
        {
            this.sendQueueCapacity = bytes;
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
         * @param seconds connect_timeout.
         * @return this.
         */
        public Builder connectTimeout(final int seconds)
        {
            this.connectTimeout = seconds;
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
         * @param seconds idle_timeout.
         * @return this.
         */
        public Builder idleTimeout(final int seconds)
        {
            this.idleTimeout = seconds;
            return this;
        }

        /**
         * Promise that one thread makes every call on the client: connect, multicast, join, leave and poll.
         * Sends then skip the thread-safe send queue and are encoded straight into the socket's write buffer
         * (as Aeron's exclusive publications skip the shared-publication protocol). Calls from another thread
         * are then a data race: the default, false, allows sends from any thread.
         *
         * @param singleThreaded true to promise a single calling thread.
         * @return this.
         */
        public Builder singleThreaded(final boolean singleThreaded)
        {
            this.singleThreaded = singleThreaded;
            return this;
        }

        /**
         * @param enabled the common module option {@code enabled}.
         * @return this.
         */
        public Builder enabled(final boolean enabled)
        {
            this.enabled = enabled;
            return this;
        }

        /**
         * @param level the common module option {@code debug_level}, any case.
         * @return this.
         */
        public Builder debugLevel(final String level)
        {
            this.debugLevel = level.toUpperCase(Locale.ROOT);
            return this;
        }

        /**
         * The cluster secret: the client proves it to the server and accepts only a server that proves it back.
         *
         * @param secret the secret, or null for none (the plain protocol, as without a secret).
         * @return this.
         */
        public Builder secret(final Secret secret)
        {
            this.secret = secret;
            return this;
        }

        /**
         * The cluster secret, as {@link Secret#of(String, String)} makes it.
         *
         * @param current  the secret, 16..1024 printable ASCII characters.
         * @param previous the one still accepted during a rotation, or null.
         * @return this.
         * @throws IllegalArgumentException when a secret breaks the rules.
         */
        public Builder secret(final String current, final String previous)
        {
            return secret(Secret.of(current, previous));
        }

        /**
         * @param path   {@code auth_secret_file}, for display.
         * @param secret the secret read from it ({@link Secret#read}).
         * @return this.
         */
        public Builder secretFile(final String path, final Secret secret)
        {
            this.secretFile = path;
            this.secret = secret;
            return this;
        }

        /**
         * Where to report an exception thrown by the application's handler. The client reports each one once,
         * skips the message (or event) the handler failed on and carries on with the next. The error handler
         * runs on the client's I/O thread and must not throw.
         *
         * @param errorHandler the handler, or null for the default (print to standard error).
         * @return this.
         */
        public Builder errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * @return the configuration.
         * @throws IllegalArgumentException when max_frame_size is outside 1024..67108864 or send_queue_capacity
         *                                  outside 1..1073741824 (the client's buffer sizes would overflow).
         */
        public ClientConfig build()
        {
            if (maxFrameSize < 1024 || maxFrameSize > ConfigValidator.MAX_FRAME)
            {
                throw new IllegalArgumentException("max_frame_size " + maxFrameSize + " is out of range 1024.." +
                    ConfigValidator.MAX_FRAME);
            }
            if (sendQueueCapacity < 1 || sendQueueCapacity > ConfigValidator.MAX_SEND_QUEUE)
            {
                throw new IllegalArgumentException("send_queue_capacity " + sendQueueCapacity + " is out of range 1.." +
                    ConfigValidator.MAX_SEND_QUEUE);
            }
            return new ClientConfig(this);
        }
    }
}
