package io.msgc.conf;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code msgcd --check}'s warning about peers hosts that do not resolve.
 */
class PeerHostCheckTest
{
    @Test
    void oneWarningPerHostThatDoesNotResolveInPeersOrder() throws Exception
    {
        final ServerConfig server = MsgcConfig.parse("t.conf", "msgc_server { peers = [\n" +
            "  node1 = \"127.0.0.1\"\n  node2 = \"db2.example\"\n  node3 = \"db3.example:5000\"\n" +
            "  node4 = \"db4.example\"\n  node5 = \"db3.example:5001\"\n] }\n").server();
        final List<String> asked = Collections.synchronizedList(new ArrayList<>());
        final List<String> warnings = PeerHostCheck.unresolvedHosts(server, host ->
        {
            asked.add(host);
            if (host.equals("db4.example"))
            {
                throw new UnknownHostException("db4.example: Name or service not known");
            }
            if (host.equals("db3.example"))
            {
                throw new UnknownHostException("db3.example");
            }
            return new InetAddress[]{InetAddress.getByName("127.0.0.1")};
        });
        assertEquals(List.of(
            "peers entries node3, node5 host 'db3.example' does not resolve (unknown host); the node will keep " +
            "retrying",
            "peers entry node4 host 'db4.example' does not resolve (Name or service not known); the node will keep " +
            "retrying"), warnings);
        // each host once
        assertEquals(4, asked.size(), asked.toString());
    }

    @Test
    void everyHostResolves() throws Exception
    {
        final ServerConfig server = MsgcConfig.parse("t.conf",
            "msgc_server { peers = [ a = \"127.0.0.1\" b = \"[::1]:4810\" c = localhost ] }").server();
        assertEquals(List.of(), PeerHostCheck.unresolvedHosts(server));
    }

    @Test
    void theRealResolverReportsAnInvalidName() throws Exception
    {
        // .invalid never resolves (RFC 6761)
        final ServerConfig server = MsgcConfig.parse("t.conf",
            "msgc_server { peers = [ a = \"127.0.0.1\" node4 = \"db4.invalid\" ] }").server();
        final List<String> warnings = PeerHostCheck.unresolvedHosts(server);
        assertEquals(1, warnings.size(), warnings.toString());
        final String warning = warnings.get(0);
        assertEquals(true, warning.startsWith("peers entry node4 host 'db4.invalid' does not resolve (") &&
            warning.endsWith("); the node will keep retrying"), warning);
    }
}
