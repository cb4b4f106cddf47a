package io.msgc.cli;

import io.msgc.client.Message;
import io.msgc.client.MembershipView;
import io.msgc.client.MessageHandler;
import io.msgc.client.MsgcClient;
import io.msgc.client.MsgcException;
import io.msgc.conf.ClientConfig;
import io.msgc.conf.HostPort;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code msgc}: the operator console and a spuser-like client.
 * <pre>
 *   msgc peers  -s HOST:PORT                     every peer of that node: state, address, age, heartbeat, bytes
 *   msgc groups -s HOST:PORT                     groups with their members, as that node sees them
 *   msgc stats  -s HOST:PORT                     counters
 *   msgc listen -s HOST:PORT -n NAME GROUP...    join and print every message and membership message
 *   msgc send   -s HOST:PORT [-n NAME] [--service S] [--type N] GROUP TEXT
 * </pre>
 */
public final class MsgcConsole
{
    private MsgcConsole()
    {
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    static int run(final String[] args)
    {
        if (args.length == 0)
        {
            usage();
            return 2;
        }
        final String command = args[0];
        HostPort server = new HostPort("127.0.0.1", 4809);
        String name = null;
        int service = ServiceType.FIFO;
        int msgType = 0;
        long count = Long.MAX_VALUE;
        final List<String> rest = new ArrayList<>();
        try
        {
            for (int i = 1; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "-s": server = HostPort.parse(args[++i], 4809); break;
                    case "-n": name = args[++i]; break;
                    case "--service": service = ServiceType.parse(args[++i]); break;
                    case "--type": msgType = Integer.parseInt(args[++i]); break;
                    case "--count": count = Long.parseLong(args[++i]); break;
                    default: rest.add(args[i]);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            System.err.println("msgc: bad arguments: " + ex.getMessage());
            usage();
            return 2;
        }
        try
        {
            switch (command)
            {
                case "peers":
                case "groups":
                case "stats":
                    System.out.print(AdminClient.request(server, command, 5000));
                    return 0;
                case "listen":
                    if (name == null || rest.isEmpty())
                    {
                        System.err.println("msgc listen: need -n NAME and at least one GROUP");
                        return 2;
                    }
                    return listen(server, name, rest, count);
                case "send":
                    if (rest.size() != 2)
                    {
                        System.err.println("msgc send: need GROUP TEXT");
                        return 2;
                    }
                    return send(server, name, service, msgType, rest.get(0), rest.get(1));
                default:
                    System.err.println("msgc: unknown command '" + command + "'");
                    usage();
                    return 2;
            }
        }
        catch (final IOException | MsgcException ex)
        {
            System.err.println("msgc: " + ex.getMessage());
            return 1;
        }
    }

    private static ClientConfig clientConfig(final HostPort server, final String name, final boolean reconnect)
    {
        return ClientConfig.builder().server(server.host(), server.port()).name(name).reconnect(reconnect)
            .connectTimeout(5).build();
    }

    private static int listen(final HostPort server, final String name, final List<String> groups, final long count)
        throws MsgcException
    {
        final MsgcClient client = MsgcClient.connect(clientConfig(server, name, false));
        System.out.println("connected " + client.memberId());
        System.out.flush();
        for (final String group : groups)
        {
            client.join(group);
        }
        final long[] received = {0};
        final boolean[] gone = {false};
        final MessageHandler handler = new MessageHandler()
        {
            public void onMessage(final Message m)
            {
                final StringBuilder groupsText = new StringBuilder();
                for (int i = 0; i < m.groupCount(); i++)
                {
                    groupsText.append(i == 0 ? "" : ",").append(m.group(i));
                }
                System.out.println("message from=" + m.sender() + " groups=" + groupsText + " type=" + m.msgType() +
                    " service=" + ServiceType.name(m.service()) + " len=" + m.payloadLength() + " text=" +
                    m.payload().getStringWithoutLengthUtf8(0, m.payloadLength()));
                System.out.flush();
                received[0]++;
            }

            public void onMembership(final MembershipView v)
            {
                System.out.println("membership group=" + v.group() + " view=" + v.viewId() + " cause=" + v.cause() +
                    " members=" + v.members() + " me=" + v.myIndex() + " changed=" + v.changed());
                System.out.flush();
            }

            public void onError(final int code, final String reason)
            {
                System.out.println("error code=" + ErrorCode.name(code) + " reason=" + reason);
                System.out.flush();
            }

            public void onDisconnect(final String reason, final long unsent, final boolean reconnecting)
            {
                System.out.println("disconnected reason=\"" + reason + "\"");
                System.out.flush();
                gone[0] = true;
            }
        };
        final Thread shutdown = new Thread(() -> gone[0] = true);
        Runtime.getRuntime().addShutdownHook(shutdown);
        final org.agrona.concurrent.IdleStrategy idle = new org.agrona.concurrent.BackoffIdleStrategy();
        while (!gone[0] && received[0] < count)
        {
            idle.idle(client.poll(handler, 256));
        }
        client.close();
        return gone[0] && received[0] < count ? 1 : 0;
    }

    private static int send(
        final HostPort server, final String name, final int service, final int msgType, final String group,
        final String text) throws MsgcException
    {
        final MsgcClient client = MsgcClient.connect(clientConfig(server, name, false));
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final long result = client.multicast(service, msgType, new UnsafeBuffer(bytes), 0, bytes.length, group);
        if (result < 0)
        {
            System.err.println("msgc send: not sent (" + result + ")");
            client.close();
            return 1;
        }
        client.close();
        System.out.println("sent from=" + client.memberId() + " group=" + group + " bytes=" + bytes.length);
        return 0;
    }

    private static void usage()
    {
        System.err.println("usage: msgc peers  -s HOST:PORT\n" +
            "       msgc groups -s HOST:PORT\n" +
            "       msgc stats  -s HOST:PORT\n" +
            "       msgc listen -s HOST:PORT -n NAME [--count N] GROUP...\n" +
            "       msgc send   -s HOST:PORT [-n NAME] [--service FIFO|AGREED|...] [--type N] GROUP TEXT");
    }
}
