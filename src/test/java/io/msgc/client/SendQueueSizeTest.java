package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.server.Cluster;
import io.msgc.wire.DataFrame;
import io.msgc.wire.ServiceType;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The send queue is as large as {@code send_queue_capacity} says (1 MiB by default), and a frame of
 * {@code max_frame_size} still fits, whatever the queue size, in order with the frames around it.
 */
class SendQueueSizeTest
{
    private static final int MAX_FRAME = 64 * 1024;

    @Test
    void theDefaultQueueIsOneMebibyte() throws Exception
    {
        try (Cluster cluster = new Cluster(1).startAll())
        {
            final InetSocketAddress server = cluster.address(1);
            try (MsgcClient client = MsgcClient.connect(ClientConfig.builder()
                .server(server.getHostString(), server.getPort()).name("sized").reconnect(false).build()))
            {
                assertEquals(1 << 20, client.sendQueueCapacity());
            }
        }
    }

    @Test
    void maxSizeFramesPassASmallQueueInOrder() throws Exception
    {
        try (Cluster cluster = new Cluster(1, b -> b.maxFrameSize(MAX_FRAME)).startAll();
            TestMember receiver = TestMember.connect("receiver", cluster.address(1)))
        {
            receiver.joinAndWait("g");
            final InetSocketAddress server = cluster.address(1);
            final TestMember sender = TestMember.connect("sender", ClientConfig.builder()
                .server(server.getHostString(), server.getPort()).name("sender").reconnect(false)
                .sendQueueCapacity(4096).maxFrameSize(MAX_FRAME).build());
            try
            {
                assertEquals(4096, sender.client.sendQueueCapacity());
                final int overhead = DataFrame.length(sender.client.memberId().length(), new String[]{"g"}, 1, 0);
                final int count = 200;
                for (int i = 0; i < count; i++)
                {
                    // sent from this thread, not the client's: through the queue (a max-size frame is 16x a record)
                    sender.send(ServiceType.FIFO, i, i % 3 == 0 ? MAX_FRAME - overhead : 16 + i, "g");
                }
                receiver.awaitMessages(count, 10_000);
                int i = 0;
                for (final TestMember.Received m : receiver.messages)
                {
                    assertEquals(i, m.sequence());
                    assertEquals(i % 3 == 0 ? MAX_FRAME - overhead : 16 + i, m.payload.length);
                    i++;
                }
            }
            finally
            {
                sender.close();
            }
        }
    }
}
