package io.msgc.conf;

import io.msgc.admin.EventLog;
import io.msgc.server.Loopback;
import io.msgc.server.MsgcServer;
import io.msgc.wire.FrameType;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.RawConnection;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real server applies the Peer rules of the Listen scope that accepted each connection: the same client
 * address is refused on one Listen address and welcomed on another.
 */
class ListenAclServerTest
{
    private static MsgcServer start(final String text, final PrintStream log) throws Exception
    {
        final MsgcConfig config = MsgcConfig.parse("acl.conf", text);
        return MsgcServer.start(config.server(), config.listener(), "node1", new EventLog("node1", log, "NOTICE"));
    }

    private static void assertWelcomed(final InetSocketAddress server, final InetSocketAddress from) throws Exception
    {
        try (RawConnection c = new RawConnection(server, from))
        {
            c.hello(HelloFrame.ROLE_CLIENT, "c" + System.nanoTime() % 100000);
            c.readType(FrameType.WELCOME, 3000);
        }
    }

    private static String rejection(final InetSocketAddress server, final InetSocketAddress from) throws Exception
    {
        try (RawConnection c = new RawConnection(server, from))
        {
            final String reason = RawConnection.reason(c.readType(FrameType.REJECT, 3000));
            assertTrue(c.closedByPeer(3000), "closed after REJECT");
            return reason;
        }
    }

    @Test
    void eachListenAppliesItsOwnRulesPlusTheListenersRules() throws Exception
    {
        final String prefix = Loopback.block();
        final int port = Loopback.freePort(prefix + "1");
        final String text = "msgc_server { peers = [ node1 = \"" + prefix + "1:" + port + "\" ] }\n" +
            "msgcserver_listener {\n" +
            "  Listen \"" + prefix + "1:" + port + "\" { Peer \"" + prefix + "3\" { action = deny } }\n" +
            "  Listen \"" + prefix + "2:" + port + "\" { }\n" +
            "  Peer \"127.0.0.0/8\" { action = allow }\n" +
            "  Peer \"" + prefix + "4/32\" { action = deny }\n" +
            "}\n";
        final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        try (MsgcServer ignored = start(text, new PrintStream(logBytes, true)))
        {
            final InetSocketAddress one = new InetSocketAddress(prefix + "1", port);
            final InetSocketAddress two = new InetSocketAddress(prefix + "2", port);
            final InetSocketAddress from3 = new InetSocketAddress(prefix + "3", 0);
            final InetSocketAddress from4 = new InetSocketAddress(prefix + "4", 0);
            final InetSocketAddress from5 = new InetSocketAddress(prefix + "5", 0);

            assertEquals("NOT_ALLOWED: address " + prefix + "3 is not allowed by the msgcserver_listener Peer " +
                "access list of node1", rejection(one, from3));
            assertWelcomed(two, from3);
            // the listener-level rules hold on both
            assertTrue(rejection(one, from4).startsWith("NOT_ALLOWED: "));
            assertTrue(rejection(two, from4).startsWith("NOT_ALLOWED: "));
            assertWelcomed(one, from5);
            assertWelcomed(two, from5);
        }
    }

    @Test
    void ipv6RulesApplyToIpv6Clients() throws Exception
    {
        assumeTrue(ipv6Loopback(), "no IPv6 loopback on this host");
        final String prefix = Loopback.block();
        final int port = Loopback.freePort(prefix + "1");
        final String text = "msgc_server { peers = [ node1 = \"" + prefix + "1:" + port + "\" ] }\n" +
            "msgcserver_listener {\n" +
            "  Listen \"" + prefix + "1:" + port + "\" { }\n" +
            "  Listen \"[::1]:" + port + "\" { Peer \"::1\" { action = deny } }\n" +
            "  Peer \"::/0\" { action = allow }\n" +
            "  Peer \"127.0.0.0/8\" { action = allow }\n" +
            "}\n";
        try (MsgcServer ignored = start(text, new PrintStream(new ByteArrayOutputStream(), true)))
        {
            final InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), port);
            // before IPv6 rules, any rule refused every IPv6 client: here ::/0 allows, the Listen's ::1 denies
            assertEquals("NOT_ALLOWED: address 0:0:0:0:0:0:0:1 is not allowed by the msgcserver_listener Peer " +
                "access list of node1", rejection(v6, null));
            assertWelcomed(new InetSocketAddress(prefix + "1", port), null);
        }
    }

    private static boolean ipv6Loopback()
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
