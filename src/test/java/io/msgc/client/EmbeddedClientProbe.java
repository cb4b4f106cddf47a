package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * A program that embeds the client as an application would, run by {@link NoJvmFlagTest} in a JVM started without
 * any flag: connect, join, send to itself, receive, close. Prints {@code probe ok} and exits 0 on success.
 */
public final class EmbeddedClientProbe
{
    private EmbeddedClientProbe()
    {
    }

    /**
     * @param args server host and port.
     * @throws Exception on any failure (the JVM then exits non-zero).
     */
    public static void main(final String[] args) throws Exception
    {
        final ClientConfig config = ClientConfig.builder().server(args[0], Integer.parseInt(args[1]))
            .name("probe").reconnect(false).connectTimeout(5).build();
        try (MsgcClient client = MsgcClient.connect(config))
        {
            final long[] received = {0};
            client.startThread(m -> received[0] = m.payload().getLong(0));
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
            payload.putLong(0, 4242);
            if (client.multicast(ServiceType.FIFO, 1, payload, 0, 8, client.memberId()) <= 0)
            {
                throw new IllegalStateException("multicast refused");
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received[0] != 4242 && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            if (received[0] != 4242)
            {
                throw new IllegalStateException("own message did not come back");
            }
            System.out.println("probe ok " + client.memberId());
        }
    }
}
