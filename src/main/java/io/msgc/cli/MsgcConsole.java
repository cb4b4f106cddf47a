package io.msgc.cli;

import io.msgc.admin.CountersFile;
import io.msgc.admin.CountersSnapshot;
import io.msgc.admin.Json;
import io.msgc.admin.Version;
import io.msgc.client.MembershipView;
import io.msgc.client.Message;
import io.msgc.client.MessageHandler;
import io.msgc.client.MsgcClient;
import io.msgc.client.MsgcException;
import io.msgc.conf.ClientConfig;
import io.msgc.conf.ConfigError;
import io.msgc.conf.ConfigException;
import io.msgc.conf.HostPort;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.Secret;
import io.msgc.conf.ServerConfig;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code msgc}: the operator console and a spuser-like client. {@code msgc --help} lists the commands,
 * {@code msgc CMD --help} describes one. Exit codes: 0 ok, 1 failure (unreachable server, a peer down, an ERROR
 * from the server), 2 usage (unknown command or option, bad value).
 */
public final class MsgcConsole
{
    private static final String DEFAULT_SERVER = "127.0.0.1:4809";
    private static final int ADMIN_TIMEOUT_MS = 5000;
    /** A reload waits for the node to re-read and apply its file. */
    private static final int RELOAD_TIMEOUT_MS = 15_000;
    /** How long {@code send} waits for the server to have handled its messages. */
    private static final long SEND_ANSWER_TIMEOUT_MS = 10_000;

    private static final String USAGE =
        "usage: msgc COMMAND [OPTIONS]   (msgc COMMAND --help for one command)\n" +
        "operator commands (admin console of one node):\n" +
        "  peers  -s HOST:PORT            every peer: state, address, age, heartbeat, bytes; exit 1 unless all up\n" +
        "  health -s HOST:PORT            one line: healthy (every peer up) or not; exit 0 or 1\n" +
        "  groups -s HOST:PORT            groups and members as that node sees them\n" +
        "  stats  -s HOST:PORT            counters, as answered by the node\n" +
        "  reload -s HOST:PORT            make the node re-read its config file (as SIGHUP does)\n" +
        "  drain  -s HOST:PORT            lame-duck stop: move the node's clients off, leave the mesh, exit\n" +
        "commands that read a node's counters file (work while the node is stuck or stopped):\n" +
        "  stat   -c CONFIG [-n NODE] | --file PATH     counters, peers, liveness\n" +
        "  errors -c CONFIG [-n NODE] | --file PATH     the node's distinct errors with stack traces\n" +
        "client commands:\n" +
        "  listen -s HOST:PORT -n NAME [--count N] [--json] GROUP...\n" +
        "  send   -s HOST:PORT [-n NAME] [--service S] [--type N] GROUP [TEXT | -]\n" +
        "commands that connect take --secret-file FILE: the cluster secret (the admin secret for reload when the\n" +
        "node has admin_secret_file); default: the file named by MSGC_SECRET_FILE, else none.\n" +
        "options: --help, --version. Exit codes: 0 ok, 1 failure, 2 usage.";
    /** The secret a connecting command proves; shown in every such command's help. */
    private static final String SECRET_HELP = "\n  --secret-file FILE   the secret to prove (mode 600; default: $" +
        "MSGC_SECRET_FILE); the node must prove it back";
    private static final String SECRET_ENV = "MSGC_SECRET_FILE";

    private static final Map<String, String> HELP = new LinkedHashMap<>();
    private static final Map<String, Set<String>> VALUED = new HashMap<>();
    private static final Map<String, Set<String>> FLAGS = new HashMap<>();

    static
    {
        command("peers", "usage: msgc peers [-s HOST:PORT] [--secret-file FILE]\n" +
            "Prints every peer of the node: state, address, link age, last heartbeat, bytes, reason.\n" +
            "Exits 1 when a peer is not up (down, connecting or refused) or the node does not answer.\n" +
            "  -s HOST:PORT   the node's listener (default " + DEFAULT_SERVER + ")" + SECRET_HELP,
            Set.of("-s", "--secret-file"), Set.of());
        command("health", "usage: msgc health [-s HOST:PORT] [--secret-file FILE]\n" +
            "One line saying whether the node reaches every peer. Exit 0 healthy, 1 not (or no answer).\n" +
            "  -s HOST:PORT   the node's listener (default " + DEFAULT_SERVER + ")" + SECRET_HELP,
            Set.of("-s", "--secret-file"), Set.of());
        command("groups", "usage: msgc groups [-s HOST:PORT] [--secret-file FILE]\n" +
            "Prints the groups and their members as the node sees them." + SECRET_HELP,
            Set.of("-s", "--secret-file"), Set.of());
        command("stats", "usage: msgc stats [-s HOST:PORT] [--secret-file FILE]\n" +
            "Prints the node's counters as it answers them (msgc stat reads them without the node)." + SECRET_HELP,
            Set.of("-s", "--secret-file"), Set.of());
        command("reload", "usage: msgc reload [-s HOST:PORT] [--secret-file FILE]\n" +
            "Makes the node re-read its config file, like SIGHUP: options that can change live are applied,\n" +
            "the others are listed as 'needs restart'; a file with errors changes nothing.\n" +
            "Exit 0 when the file was accepted, 1 when it was not. It changes state: with admin_secret_file on\n" +
            "the node, --secret-file must name the admin secret." + SECRET_HELP, Set.of("-s", "--secret-file"),
            Set.of());
        command("drain", "usage: msgc drain [-s HOST:PORT] [--secret-file FILE]\n" +
            "Lame-duck stop: the node refuses new clients, tells its clients to connect to another server and\n" +
            "closes them, leaves the mesh with a view change (the others go on without it), then exits 0.\n" +
            "Prints what it did once it is done. Exit 0 when the node drained, 1 when it did not answer.\n" +
            "It changes state: with admin_secret_file on the node, --secret-file must name the admin secret." +
            SECRET_HELP, Set.of("-s", "--secret-file"), Set.of());
        command("stat", "usage: msgc stat -c CONFIG [-n NODE]\n" +
            "       msgc stat --file PATH\n" +
            "Reads the node's counters file (counters_file, default /dev/shm/msgc-NODE-HOST-PORT.counters)\n" +
            "without talking to the node: works while the event loop is stuck or the process stopped.\n" +
            "Without -n, the node is the peer whose address is bound on this host.",
            Set.of("-c", "-n", "--file"), Set.of());
        command("errors", "usage: msgc errors -c CONFIG [-n NODE]\n" +
            "       msgc errors --file PATH\n" +
            "Prints the distinct errors of the node's error log (in its counters file): count, first and\n" +
            "last time, stack trace.", Set.of("-c", "-n", "--file"), Set.of());
        command("listen", "usage: msgc listen [-s HOST:PORT] [--secret-file FILE] -n NAME [--count N] [--json] GROUP...\n" +
            "Joins the groups and prints every message and membership message, one per line.\n" +
            "  --count N   exit 0 after N messages\n" +
            "  --json      one JSON object per line" + SECRET_HELP, Set.of("-s", "-n", "--count", "--secret-file"),
            Set.of("--json"));
        command("send", "usage: msgc send [-s HOST:PORT] [--secret-file FILE] [-n NAME] [--service S] [--type N] GROUP\n" +
            "       [TEXT | -]\n" +
            "Sends TEXT to GROUP (a group name or a member id #name#node); without TEXT, or with -, sends\n" +
            "each line of the standard input as one message. Waits until the server has handled them and\n" +
            "exits 1 if it answered any with an ERROR.\n" +
            "  --service S   UNRELIABLE, RELIABLE, FIFO (default), CAUSAL, AGREED, SAFE\n" +
            "  --type N      message type, -32768..32767 (default 0)" + SECRET_HELP,
            Set.of("-s", "-n", "--service", "--type", "--secret-file"), Set.of());
    }

    private static void command(final String name, final String help, final Set<String> valued,
        final Set<String> flags)
    {
        HELP.put(name, help);
        VALUED.put(name, valued);
        FLAGS.put(name, flags);
    }

    /** A usage error: printed with a pointer to the help, exit 2. */
    static final class UsageException extends Exception
    {
        private static final long serialVersionUID = 1L;

        UsageException(final String message)
        {
            super(message);
        }
    }

    /** Parsed options and operands of one command. */
    static final class Args
    {
        final Map<String, String> values = new HashMap<>();
        final List<String> flags = new ArrayList<>();
        final List<String> operands = new ArrayList<>();

        String value(final String option, final String fallback)
        {
            return values.getOrDefault(option, fallback);
        }
    }

    private final InputStream stdin;
    private final PrintStream out;
    private final PrintStream err;

    private MsgcConsole(final InputStream stdin, final PrintStream out, final PrintStream err)
    {
        this.stdin = stdin;
        this.out = out;
        this.err = err;
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.in, System.out, System.err));
    }

    static int run(final String[] args)
    {
        return run(args, System.in, System.out, System.err);
    }

    static int run(final String[] args, final InputStream stdin, final PrintStream out, final PrintStream err)
    {
        return new MsgcConsole(stdin, out, err).dispatch(args);
    }

    private int dispatch(final String[] args)
    {
        if (args.length == 0)
        {
            err.println(USAGE);
            return 2;
        }
        final String command = args[0];
        switch (command)
        {
            case "-h", "--help", "help" ->
            {
                out.println(USAGE);
                return 0;
            }
            case "--version" ->
            {
                out.println(Version.line("msgc"));
                return 0;
            }
            default ->
            {
                if (!HELP.containsKey(command))
                {
                    err.println("msgc: unknown command '" + command + "'; commands: " +
                        String.join(", ", HELP.keySet()) + " (msgc --help)");
                    return 2;
                }
            }
        }
        final Args parsed;
        try
        {
            parsed = parse(command, args);
        }
        catch (final UsageException ex)
        {
            err.println("msgc " + command + ": " + ex.getMessage());
            err.println("run 'msgc " + command + " --help' for usage");
            return 2;
        }
        if (parsed == null)
        {
            out.println(HELP.get(command));
            return 0;
        }
        try
        {
            return execute(command, parsed);
        }
        catch (final UsageException ex)
        {
            err.println("msgc " + command + ": " + ex.getMessage());
            err.println("run 'msgc " + command + " --help' for usage");
            return 2;
        }
        catch (final IOException | MsgcException ex)
        {
            err.println("msgc " + command + ": " + ex.getMessage());
            return 1;
        }
    }

    /**
     * @return the parsed arguments, or null when --help was asked for.
     */
    static Args parse(final String command, final String[] args) throws UsageException
    {
        final Set<String> valued = VALUED.get(command);
        final Set<String> flags = FLAGS.get(command);
        final Args parsed = new Args();
        boolean operandsOnly = false;
        for (int i = 1; i < args.length; i++)
        {
            final String arg = args[i];
            if (operandsOnly || !arg.startsWith("-") || "-".equals(arg))
            {
                parsed.operands.add(arg);
            }
            else if ("--".equals(arg))
            {
                operandsOnly = true;
            }
            else if ("-h".equals(arg) || "--help".equals(arg))
            {
                return null;
            }
            else if (valued.contains(arg))
            {
                if (i + 1 >= args.length)
                {
                    throw new UsageException("option " + arg + " needs a value");
                }
                if (parsed.values.put(arg, args[++i]) != null)
                {
                    throw new UsageException("option " + arg + " given twice");
                }
            }
            else if (flags.contains(arg))
            {
                parsed.flags.add(arg);
            }
            else
            {
                final List<String> valid = new ArrayList<>(valued);
                valid.addAll(flags);
                valid.sort(String::compareTo);
                throw new UsageException("unknown option '" + arg + "'" +
                    (valid.isEmpty() ? "" : "; valid: " + String.join(", ", valid)));
            }
        }
        return parsed;
    }

    private int execute(final String command, final Args args) throws UsageException, IOException, MsgcException
    {
        switch (command)
        {
            case "peers": return peers(server(args), true, secret(args));
            case "health": return peers(server(args), false, secret(args));
            case "groups":
            case "stats":
                noOperands(args);
                return admin(server(args), command, ADMIN_TIMEOUT_MS, secret(args));
            case "reload":
            case "drain":
                noOperands(args);
                return admin(server(args), command, RELOAD_TIMEOUT_MS, secret(args));
            case "stat": return stat(args, false);
            case "errors": return stat(args, true);
            case "listen": return listen(args);
            default: return send(args);
        }
    }

    private static void noOperands(final Args args) throws UsageException
    {
        if (!args.operands.isEmpty())
        {
            throw new UsageException("unexpected argument '" + args.operands.get(0) + "'");
        }
    }

    private static HostPort server(final Args args) throws UsageException
    {
        final String text = args.value("-s", DEFAULT_SERVER);
        try
        {
            return HostPort.parse(text, ServerConfig.DEFAULT_PORT);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException("bad -s value '" + text + "': " + ex.getMessage() + " (expected HOST:PORT)");
        }
    }

    /**
     * The secret to prove: {@code --secret-file}, else the file {@code MSGC_SECRET_FILE} names, else none.
     */
    private static Secret secret(final Args args) throws UsageException
    {
        final String given = args.values.get("--secret-file");
        final String file = given != null ? given : System.getenv(SECRET_ENV);
        if (file == null || file.isEmpty())
        {
            return null;
        }
        try
        {
            // InvalidPathException is an IllegalArgumentException too
            return Secret.read(Path.of(file), given != null ? "--secret-file" : SECRET_ENV);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException(ex.getMessage());
        }
    }

    private int admin(final HostPort server, final String request, final int timeoutMs, final Secret secret)
        throws IOException
    {
        final String answer = AdminClient.request(server, request, timeoutMs, secret);
        if (answer.startsWith("error:"))
        {
            err.print(answer);
            return 1;
        }
        out.print(answer);
        return 0;
    }

    /** {@code peers} (the table) and {@code health} (one line); both exit 1 unless every peer is up. */
    private int peers(final HostPort server, final boolean table, final Secret secret)
        throws UsageException, IOException
    {
        final String answer;
        try
        {
            answer = AdminClient.request(server, "peers", ADMIN_TIMEOUT_MS, secret);
        }
        catch (final IOException ex)
        {
            if (table)
            {
                throw ex;
            }
            out.println("unhealthy: no answer from " + server + ": " + ex.getMessage());
            return 1;
        }
        final String[] lines = answer.split("\n");
        final String node = lines.length > 0 && lines[0].startsWith("node ") ? lines[0].split(" ")[1] :
            server.toString();
        final List<String> up = new ArrayList<>();
        final List<String> notUp = new ArrayList<>();
        for (int i = 2; i < lines.length; i++)
        {
            final String[] cols = lines[i].trim().split("\\s+", 8);
            if (cols.length < 2 || "self".equals(cols[1]))
            {
                continue;
            }
            if ("up".equals(cols[1]))
            {
                up.add(cols[0]);
            }
            else
            {
                final String reason = cols.length == 8 && !cols[7].isEmpty() ? " (" + cols[7] + ")" : "";
                notUp.add(cols[0] + " " + cols[1] + reason);
            }
        }
        if (table)
        {
            out.print(answer);
            if (!notUp.isEmpty())
            {
                err.println("msgc peers: " + node + " does not reach every peer: " + String.join(", ", notUp));
                return 1;
            }
            return 0;
        }
        if (notUp.isEmpty())
        {
            out.println("healthy: " + node + " reaches every peer" + (up.isEmpty() ? "" : " (" +
                String.join(", ", up) + " up)"));
            return 0;
        }
        out.println("unhealthy: " + node + ": " + String.join(", ", notUp) +
            (up.isEmpty() ? "" : "; up: " + String.join(", ", up)));
        return 1;
    }

    // ---------------------------------------------------------------- the counters file

    private int stat(final Args args, final boolean errors) throws UsageException
    {
        noOperands(args);
        final Path path = countersPath(args);
        if (path == null)
        {
            return 2;
        }
        final long now = System.currentTimeMillis();
        try (CountersFile file = CountersFile.open(path))
        {
            if (!errors)
            {
                out.print(CountersSnapshot.read(file).statText(now, path.toString()));
                return 0;
            }
            final int count = ErrorLogReader.read(file.errorLogBuffer(), (observations, first, last, trace) ->
                out.println(observations + " observation(s), first " + Instant.ofEpochMilli(first) + ", last " +
                    Instant.ofEpochMilli(last) + "\n" + trace.trim() + "\n"));
            out.println(count + " distinct error(s) in the error log of node " + file.node() + " (" +
                CountersSnapshot.read(file).liveness(now) + ")");
            return 0;
        }
        catch (final NoSuchFileException ex)
        {
            err.println("msgc " + (errors ? "errors" : "stat") + ": no counters file at " + path +
                "; is the node running (or was it stopped cleanly, which removes the file)? " +
                "The file is counters_file in msgc_server, or the per-node default");
            return 1;
        }
        catch (final IOException ex)
        {
            err.println("msgc " + (errors ? "errors" : "stat") + ": cannot read " + path + ": " + ex.getMessage());
            return 1;
        }
    }

    private Path countersPath(final Args args) throws UsageException
    {
        final String file = args.values.get("--file");
        final String config = args.values.get("-c");
        if (file != null)
        {
            if (config != null || args.values.containsKey("-n"))
            {
                throw new UsageException("give either --file PATH or -c CONFIG [-n NODE], not both");
            }
            return Path.of(file);
        }
        if (config == null)
        {
            throw new UsageException("need -c CONFIG [-n NODE] or --file PATH");
        }
        final MsgcConfig loaded;
        try
        {
            // addresses and paths only: a user who may not read the node's secret can still read its counters
            loaded = MsgcConfig.load(Path.of(config), false);
        }
        catch (final ConfigException ex)
        {
            for (final ConfigError error : ex.errors())
            {
                err.println(error);
            }
            err.println("msgc: " + ex.errors().size() + " error(s) in " + config);
            return null;
        }
        final ServerConfig server = loaded.server();
        if (server == null)
        {
            throw new UsageException(config + " has no msgc_server scope");
        }
        String node = args.values.get("-n");
        if (node == null)
        {
            try
            {
                node = MsgcDaemon.pickLocalNode(server);
            }
            catch (final IllegalStateException ex)
            {
                throw new UsageException(ex.getMessage());
            }
        }
        if (server.peer(node) == null)
        {
            throw new UsageException("node '" + node + "' is not in the peers list " + server.peersDescription());
        }
        return CountersFile.path(server, server.peer(node).name());
    }

    // ---------------------------------------------------------------- client commands

    private static ClientConfig clientConfig(final HostPort server, final String name, final Secret secret)
        throws UsageException
    {
        try
        {
            return ClientConfig.builder().server(server.host(), server.port()).name(name).reconnect(false)
                .connectTimeout(5).secret(secret).build();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException(ex.getMessage());
        }
    }

    private static long number(final Args args, final String option, final long fallback, final long min,
        final long max) throws UsageException
    {
        final String text = args.values.get(option);
        if (text == null)
        {
            return fallback;
        }
        try
        {
            final long value = Long.parseLong(text);
            if (value >= min && value <= max)
            {
                return value;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new UsageException("bad " + option + " value '" + text + "': expected an integer " + min + ".." + max);
    }

    private int listen(final Args args) throws UsageException, MsgcException
    {
        final String name = args.values.get("-n");
        if (name == null || args.operands.isEmpty())
        {
            throw new UsageException("need -n NAME and at least one GROUP");
        }
        final long count = number(args, "--count", Long.MAX_VALUE, 1, Long.MAX_VALUE);
        final boolean json = args.flags.contains("--json");
        final MsgcClient client = connect(clientConfig(server(args), name, secret(args)));
        out.println(json ? "{\"type\":\"connected\",\"member\":" + Json.string(client.memberId()) + "}" :
            "connected " + client.memberId());
        out.flush();
        for (final String group : args.operands)
        {
            try
            {
                client.join(group);
            }
            catch (final IllegalArgumentException ex)
            {
                client.close();
                throw new UsageException(ex.getMessage());
            }
        }
        final long[] received = {0};
        final AtomicBoolean gone = new AtomicBoolean();
        final MessageHandler handler = new MessageHandler()
        {
            public void onMessage(final Message m)
            {
                final List<String> groups = new ArrayList<>();
                for (int i = 0; i < m.groupCount(); i++)
                {
                    groups.add(m.group(i));
                }
                final String text = m.payload().getStringWithoutLengthUtf8(0, m.payloadLength());
                if (json)
                {
                    out.println("{\"type\":\"message\",\"from\":" + Json.string(m.sender()) + ",\"groups\":" +
                        jsonList(groups) + ",\"msg_type\":" + m.msgType() + ",\"service\":" +
                        Json.string(ServiceType.name(m.service())) + ",\"len\":" + m.payloadLength() + ",\"text\":" +
                        Json.string(text) + "}");
                }
                else
                {
                    out.println("message from=" + m.sender() + " groups=" + String.join(",", groups) + " type=" +
                        m.msgType() + " service=" + ServiceType.name(m.service()) + " len=" + m.payloadLength() +
                        " text=" + text);
                }
                out.flush();
                received[0]++;
            }

            public void onMembership(final MembershipView v)
            {
                if (json)
                {
                    out.println("{\"type\":\"membership\",\"group\":" + Json.string(v.group()) + ",\"view\":" +
                        v.viewId() + ",\"cause\":" + Json.string(String.valueOf(v.cause())) + ",\"members\":" +
                        jsonList(v.members()) + ",\"me\":" + v.myIndex() + ",\"changed\":" + jsonList(v.changed()) +
                        "}");
                }
                else
                {
                    out.println("membership group=" + v.group() + " view=" + v.viewId() + " cause=" + v.cause() +
                        " members=" + v.members() + " me=" + v.myIndex() + " changed=" + v.changed());
                }
                out.flush();
            }

            public void onError(final int code, final String reason)
            {
                out.println(json ? "{\"type\":\"error\",\"code\":" + Json.string(ErrorCode.name(code)) +
                    ",\"reason\":" + Json.string(reason) + "}" :
                    "error code=" + ErrorCode.name(code) + " reason=" + reason);
                out.flush();
            }

            public void onDisconnect(final String reason, final long unsent, final boolean reconnecting)
            {
                out.println(json ? "{\"type\":\"disconnected\",\"reason\":" + Json.string(reason) + "}" :
                    "disconnected reason=\"" + reason + "\"");
                out.flush();
                gone.set(true);
            }
        };
        final Thread shutdown = new Thread(() -> gone.set(true));
        Runtime.getRuntime().addShutdownHook(shutdown);
        final IdleStrategy idle = new BackoffIdleStrategy();
        while (!gone.get() && received[0] < count)
        {
            idle.idle(client.poll(handler, 256));
        }
        client.close();
        return gone.get() && received[0] < count ? 1 : 0;
    }

    private static String jsonList(final List<String> items)
    {
        final StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++)
        {
            out.append(i == 0 ? "" : ",").append(Json.string(items.get(i)));
        }
        return out.append(']').toString();
    }

    private static MsgcClient connect(final ClientConfig config) throws MsgcException, UsageException
    {
        try
        {
            return MsgcClient.connect(config);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException(ex.getMessage());
        }
    }

    /**
     * Send one message (TEXT) or one per line of stdin, then a marker message to the sender's own member id:
     * the server handles a connection's frames in order, so once the marker comes back every ERROR the server
     * had for the messages has arrived too.
     */
    private int send(final Args args) throws UsageException, MsgcException, IOException
    {
        if (args.operands.isEmpty() || args.operands.size() > 2)
        {
            throw new UsageException("need GROUP [TEXT | -]");
        }
        final String group = args.operands.get(0);
        final boolean fromStdin = args.operands.size() == 1 || "-".equals(args.operands.get(1));
        final int service;
        try
        {
            service = ServiceType.parse(args.value("--service", "FIFO"));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException("bad --service value: " + ex.getMessage());
        }
        final int msgType = (int)number(args, "--type", 0, Short.MIN_VALUE, Short.MAX_VALUE);
        final MsgcClient client = connect(clientConfig(server(args), args.values.get("-n"), secret(args)));
        final List<String> errors = new ArrayList<>();
        final String marker = "msgc-send-done-" + System.nanoTime();
        final boolean[] done = {false};
        final String[] lost = {null};
        final MessageHandler handler = new MessageHandler()
        {
            public void onMessage(final Message m)
            {
                if (m.sender().equals(client.memberId()) &&
                    marker.equals(m.payload().getStringWithoutLengthUtf8(0, m.payloadLength())))
                {
                    done[0] = true;
                }
            }

            public void onMembership(final MembershipView v)
            {
            }

            public void onError(final int code, final String reason)
            {
                errors.add(ErrorCode.name(code) + ": " + reason);
            }

            public void onDisconnect(final String reason, final long unsent, final boolean reconnecting)
            {
                lost[0] = reason + (unsent > 0 ? " (" + unsent + " frame(s) unsent)" : "");
            }
        };
        long sent = 0;
        long bytes = 0;
        try
        {
            if (fromStdin)
            {
                final BufferedReader reader = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
                String line;
                while ((line = reader.readLine()) != null && lost[0] == null)
                {
                    bytes += sendOne(client, handler, service, msgType, group, line, lost);
                    sent++;
                }
            }
            else
            {
                bytes += sendOne(client, handler, service, msgType, group, args.operands.get(1), lost);
                sent++;
            }
            if (lost[0] == null)
            {
                sendOne(client, handler, ServiceType.FIFO, 0, client.memberId(), marker, lost);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            client.close();
            throw new UsageException(ex.getMessage());
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SEND_ANSWER_TIMEOUT_MS);
        final IdleStrategy idle = new BackoffIdleStrategy();
        while (!done[0] && lost[0] == null && System.nanoTime() - deadlineNs < 0)
        {
            idle.idle(client.poll(handler, 256));
        }
        final String member = client.memberId();
        client.close();
        for (final String error : errors)
        {
            err.println("msgc send: the server refused a message: " + error);
        }
        if (lost[0] != null)
        {
            err.println("msgc send: connection lost: " + lost[0]);
            return 1;
        }
        if (!done[0])
        {
            err.println("msgc send: no answer from the server within " + SEND_ANSWER_TIMEOUT_MS + " ms");
            return 1;
        }
        out.println("sent " + sent + " message(s) from=" + member + " group=" + group + " bytes=" + bytes +
            (errors.isEmpty() ? "" : " refused=" + errors.size()));
        return errors.isEmpty() ? 0 : 1;
    }

    /** Send one message, polling while the client's queue is full. */
    private static long sendOne(
        final MsgcClient client,
        final MessageHandler handler,
        final int service,
        final int msgType,
        final String group,
        final String text,
        final String[] lost)
    {
        final byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        while (lost[0] == null)
        {
            final long result = client.multicast(service, msgType, buffer, 0, payload.length, group);
            if (result >= 0)
            {
                return payload.length;
            }
            if (result != MsgcClient.BACK_PRESSURED)
            {
                lost[0] = result == MsgcClient.CLOSED ? "client closed" : "not connected";
                break;
            }
            client.poll(handler, 256);
        }
        return 0;
    }
}
