package io.msgc.server;

import io.msgc.client.TestMember;
import io.msgc.wire.ServiceType;
import org.junit.jupiter.api.Test;
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

    @Test
    void aMemberHeldBackByFlowControlIsNotCutForAViewOrAKeepalive() throws Exception
    {
        // longer than a DATA frame of this test: a view that only fits if room was kept for it (a member that holds
        // streams back has its buffer full to within one DATA frame)
        final String other = "a-group-whose-name-makes-its-views-longer-than-the-data-frames-of-this-test-" +
            "0123456789abcdef";
        final int count = 1_000_000; // more than every buffer between publisher and subscriber holds
        try (Cluster cluster = new Cluster(2, b -> b.clientOutboundLimit(64 * 1024).keepaliveInterval(1)).startAll())
        {
            Cluster.await("mesh", 10_000, cluster::fullMesh);
            // node1 is the sequencer: the view for `other` comes in node1's stream, the data in node2's
            try (TestMember publisher = TestMember.connect("publisher", cluster.address(2));
                TestMember subscriber = TestMember.connect("subscriber", cluster.address(1));
                TestMember third = TestMember.connect("third", cluster.address(1)))
            {
                subscriber.joinAndWait("flow");
                subscriber.joinAndWait(other);
                Cluster.await("node2 routes to the subscriber", 5000,
                    () -> Admin.request(cluster.address(2), "groups").contains("#subscriber#node1"));
                subscriber.slowDown(1, TimeUnit.SECONDS.toNanos(3)); // one message, then it reads nothing for 3 s
                final Thread sender = new Thread(() ->
                {
                    for (int i = 0; i < count; i++)
                    {
                        publisher.send(ServiceType.RELIABLE, i, 8, "flow");
                    }
                }, "publisher");
                sender.start();
                Thread.sleep(1500); // the subscriber's buffer is full and holds node2's stream back, across keepalives
                // the view is placed behind the data already in node2's stream (same view at every member): it
                // reaches the subscriber when the stream gets there, with the buffer full again by then
                third.client.join(other);
                subscriber.slowDown(0, 0);
                sender.join(60_000);
                subscriber.awaitMessages(count, 60_000);
                long expected = 0;
                for (final TestMember.Received m : subscriber.messages)
                {
                    assertEquals(expected++, m.sequence());
                }
                assertTrue(subscriber.events.isEmpty(), "subscriber: " + subscriber.events + subscriber.errors);
                subscriber.awaitView(v -> v.group.equals(other) && v.members.size() == 2, "third joined");
                assertTrue(publisher.backPressured > 0, "the publisher was never slowed down");
                assertTrue(AdminAccess.stats(cluster.address(1)).contains("slow-consumers 0\n"),
                    AdminAccess.stats(cluster.address(1)));
            }
        }
    }
}
