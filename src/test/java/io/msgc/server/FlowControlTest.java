package io.msgc.server;

import io.msgc.client.TestMember;
import io.msgc.wire.ServiceType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13, flow control: a subscriber that reads, however slowly, gets every RELIABLE message in order and is
 * never cut; the publisher is slowed down ({@code BACK_PRESSURED}) instead, on one node and across two. (A member
 * that stops reading is cut after {@code slow_consumer_timeout}: see {@code GroupsTest}.)
 */
class FlowControlTest
{
    private static final int COUNT = 200_000;
    private static final int SIZE = 256;

    @ParameterizedTest(name = "subscriber on node{0}")
    @ValueSource(ints = {1, 2})
    void aSlowedSubscriberGetsEverythingAndThePublisherIsSlowedDown(final int subscriberNode) throws Exception
    {
        // a small client buffer, so the subscriber's is full almost at once
        try (Cluster cluster = new Cluster(2, b -> b.clientOutboundLimit(64 * 1024)).startAll())
        {
            Cluster.await("mesh", 10_000, cluster::fullMesh);
            try (TestMember publisher = TestMember.connect("publisher", cluster.address(1));
                TestMember subscriber = TestMember.connect("subscriber", cluster.address(subscriberNode)))
            {
                subscriber.joinAndWait("flow");
                Cluster.await("node1 routes to the subscriber", 5000,
                    () -> Admin.request(cluster.address(1), "groups").contains("#subscriber#node" + subscriberNode));
                // about 100k messages a second at most: far slower than the publisher
                subscriber.slowDown(100, TimeUnit.MILLISECONDS.toNanos(1));
                for (int i = 0; i < COUNT; i++)
                {
                    publisher.send(ServiceType.RELIABLE, i, SIZE, "flow");
                }
                subscriber.awaitMessages(COUNT, 120_000);
                long expected = 0;
                for (final TestMember.Received m : subscriber.messages)
                {
                    assertEquals(expected++, m.sequence());
                }
                assertEquals(COUNT, subscriber.messages.size());
                assertTrue(subscriber.events.isEmpty(), "subscriber: " + subscriber.events + subscriber.errors);
                assertTrue(publisher.events.isEmpty(), "publisher: " + publisher.events + publisher.errors);
                assertTrue(subscriber.errors.isEmpty() && publisher.errors.isEmpty(),
                    subscriber.errors + " " + publisher.errors);
                assertTrue(publisher.backPressured > 0, "the publisher was never slowed down");
                for (int node = 1; node <= 2; node++)
                {
                    assertTrue(AdminAccess.stats(cluster.address(node)).contains("slow-consumers 0\n"),
                        AdminAccess.stats(cluster.address(node)));
                }
            }
        }
    }
}
