package io.msgc.client;

import io.msgc.server.Cluster;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every send path refuses the names that join or the server would refuse, non-ASCII included, with an
 * IllegalArgumentException that says what is wrong; nothing is mangled on the way to the wire.
 */
class NameChecksTest
{
    @Test
    void everySendPathRefusesWhatTheServerWouldRefuse() throws Exception
    {
        try (Cluster cluster = new Cluster(1).startAll();
            TestMember member = TestMember.connect("m", cluster.address(1)))
        {
            final MsgcClient client = member.client;
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
            assertThrows(IllegalArgumentException.class,
                () -> client.multicast(ServiceType.FIFO, 1, payload, 0, 8, new String[]{null}, 1));
            final IllegalArgumentException nonAscii = assertThrows(IllegalArgumentException.class,
                () -> client.multicast(ServiceType.FIFO, 1, payload, 0, 8, "gr\u00fc\u00dfe"));
            assertTrue(nonAscii.getMessage().startsWith("bad destination 'gr\\u00fc\\u00dfe': it has a non-ASCII " +
                "character (U+00FC) at index 2;"), nonAscii.getMessage());
            final IllegalArgumentException joinNonAscii =
                assertThrows(IllegalArgumentException.class, () -> client.join("caf\u00e9"));
            assertTrue(joinNonAscii.getMessage().startsWith("bad group name 'caf\\u00e9': it has a non-ASCII " +
                "character (U+00E9) at index 3;"), joinNonAscii.getMessage());
            assertThrows(IllegalArgumentException.class, () -> client.leave("caf\u00e9"));

            for (final String bad : List.of("", "with space", "tab\t", "#nohash", "#a#Node1", "##node1", "#a#",
                "x".repeat(128), "#" + "p".repeat(32) + "#node1"))
            {
                final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> client.multicast(ServiceType.FIFO, 1, payload, 0, 8, "ok", bad), bad);
                assertTrue(ex.getMessage().startsWith("bad destination '"), ex.getMessage());
            }
            assertEquals("bad destination '#nohash': it starts with '#' but is not a member id '#private#node' " +
                    "(private: 1-31 of [A-Za-z0-9_.-], node: 1-31 of [a-z0-9_.-]); a destination is a group name " +
                    "(1-127 printable ASCII characters, 0x21-0x7E, not starting with '#') or a member id " +
                    "'#private#node'",
                assertThrows(IllegalArgumentException.class,
                    () -> client.multicast(ServiceType.FIFO, 1, payload, 0, 8, "#nohash")).getMessage());
            assertThrows(IllegalArgumentException.class, () -> client.join("#m#node1"));
            assertThrows(IllegalArgumentException.class,
                () -> client.multicast(ServiceType.FIFO, 1, payload, 0, 8, new String[]{"g", null}, 2));

            // what the rules allow still goes out
            assertTrue(client.multicast(ServiceType.FIFO, 1, payload, 0, 8, "g", "#m#node1", "~!x") > 0);
            member.awaitMessages(1, 5000);
            assertEquals(List.of("g", "#m#node1", "~!x"), member.messages.peek().groups);
            assertTrue(member.errors.isEmpty(), member.errors.toString());
        }
    }

    @Test
    void theStringRulesMatchTheWireRules()
    {
        for (final String good : List.of("g", "~", "x".repeat(127), "#a#b", "#A-b_c.9#node-1.x_y", "a#b"))
        {
            assertTrue(Names.isDestination(good), good);
            assertNull(Names.destinationProblem(good));
            final UnsafeBuffer bytes = new UnsafeBuffer(good.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertTrue(io.msgc.wire.NameRules.isDestination(bytes, 0, bytes.capacity()), good);
        }
        for (final String bad : List.of("", " ", "\u007f", "\u00e9", "#", "#a", "#a#", "##b", "#a#B", "#a b#c",
            "#a#b#c", "x".repeat(128)))
        {
            assertTrue(!Names.isDestination(bad), bad);
            assertTrue(Names.destinationProblem(bad) != null, bad);
            final byte[] bytes = new byte[bad.length()];
            for (int i = 0; i < bytes.length; i++)
            {
                bytes[i] = (byte)bad.charAt(i);
            }
            if (bad.chars().allMatch(c -> c < 0x80))
            {
                assertTrue(!io.msgc.wire.NameRules.isDestination(new UnsafeBuffer(bytes), 0, bytes.length), bad);
            }
        }
        assertNull(Names.groupProblem("orders"));
        assertEquals("bad group name '#a#b': it starts with '#' (a member's private group cannot be joined or left); " +
            "a group name is 1-127 printable ASCII characters (0x21-0x7E), not starting with '#'",
            Names.groupProblem("#a#b"));
    }
}
