package io.msgc.server;

import io.msgc.client.TestMember;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, defect 4: a {@code peers} host that does not resolve is looked up off the loop, shown down with the
 * reason, and retried; every other node forms its mesh and serves clients.
 */
class UnresolvablePeerTest
{
    @Test
    void anUnresolvablePeerIsShownDownAndRetriedWhileTheOthersServe() throws Exception
    {
        try (Cluster cluster = new Cluster(3, b -> b.peer("node4", "nonexistent.invalid", 4809)).startAll())
        {
            Cluster.await("mesh of the three resolvable nodes", 5000, cluster::fullMesh);
            try (TestMember alice = TestMember.connect("alice", cluster.address(1));
                TestMember bob = TestMember.connect("bob", cluster.address(3)))
            {
                alice.joinAndWait("g");
                bob.joinAndWait("g");
                alice.send(1, "g");
                bob.awaitMessages(1, 5000);
            }
            final Pattern row = Pattern.compile("node4\\s+down\\s.*cannot resolve host 'nonexistent.invalid' " +
                "\\(unknown host, attempt (\\d+)\\); retrying");
            // retried with the redial backoff: the attempt count goes up
            Cluster.await("node4 down with the reason, retried", 10_000, () ->
            {
                final Matcher m = row.matcher(Admin.request(cluster.address(1), "peers"));
                return m.find() && Integer.parseInt(m.group(1)) >= 3;
            });
            // one WARNING per node, not one per attempt
            final String logs = cluster.logs();
            assertEquals(3, count(logs, " peer-unresolved node=node4 host=nonexistent.invalid attempts=1 "), logs);
            assertEquals(0, count(logs, " attempts=2 "), logs);
            assertTrue(cluster.fullMesh());
        }
    }

    private static int count(final String text, final String needle)
    {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1))
        {
            n++;
        }
        return n;
    }
}
