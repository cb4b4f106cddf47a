package io.msgc.server;

import io.msgc.wire.ServiceType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.msgc.server.SimNetwork.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a node holds of another node's stream goes as soon as it may: once processed here and held by every other
 * member, not only when the origin's next LINK_STATE comes (a heartbeat later when the origin has nothing to
 * process: at full rate, tens of megabytes).
 */
class StreamRetentionSimTest
{
    @Test
    void aProcessedStreamIsDroppedWithoutWaitingForItsOriginsLinkState()
    {
        final SimNetwork net = SimNetwork.settled(2, 5);
        final SimNetwork.Member sender = net.connect(0, "sender");
        final SimNetwork.Member receiver = net.connect(1, "receiver");
        receiver.join("g");
        net.run(100 * MS);
        final long before = net.history().messages();
        final int count = 2000;
        for (int i = 0; i < count; i++)
        {
            sender.send(ServiceType.FIFO, "g");
        }
        // links deliver within 2 ms; a heartbeat is 20 ms: node0's next LINK_STATE is not due yet for this seed
        net.run(4 * MS);
        assertEquals(before + count, net.history().messages());
        assertEquals(0, net.node(1).membership.heldBytes(0), "node1 still holds node0's processed stream");
        net.run(200 * MS);
        final List<String> problems = net.history().check(true);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        net.close();
    }
}
