package io.msgc.bench.rig;

import io.msgc.conf.IdleStrategyKind;
import io.msgc.io.SelectIdleStrategy;
import org.agrona.concurrent.AgentRunner;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A baseline relay in a process of its own, for the rig's multi-process mode:
 * {@code RelayMain relay|blocking BUSY_SPIN|BACKOFF LISTEN_HOST SPOKES [DOWNSTREAM_HOST:PORT]}. It listens on an ephemeral
 * port of {@code LISTEN_HOST}; with a downstream it first dials it (that relay takes the link as its hub) and
 * relays between one hub and that link, else it accepts the hub and then {@code SPOKES} spokes. It prints
 * {@code relay-ready PORT} once listening (and dialled), and exits when a side closes.
 */
public final class RelayMain
{
    private RelayMain()
    {
    }

    /**
     * @param args kind, idle strategy, listen host, spoke count, optional downstream.
     * @throws Exception on a setup failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final boolean blocking = "blocking".equals(args[0]);
        final IdleStrategyKind idle = IdleStrategyKind.valueOf(args[1]);
        final String host = args[2];
        final int spokeCount = Integer.parseInt(args[3]);
        final ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(host, 0), 64);
        SocketChannel downstream = null;
        if (args.length > 4)
        {
            final int colon = args[4].lastIndexOf(':');
            downstream = SocketChannel.open(
                new InetSocketAddress(args[4].substring(0, colon), Integer.parseInt(args[4].substring(colon + 1))));
            downstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        System.out.println("relay-ready " + ((InetSocketAddress)listener.getLocalAddress()).getPort());
        System.out.flush();
        final SocketChannel hub = listener.accept();
        final SocketChannel[] spokes;
        if (downstream != null)
        {
            spokes = new SocketChannel[]{downstream};
        }
        else
        {
            spokes = new SocketChannel[spokeCount];
            for (int i = 0; i < spokeCount; i++)
            {
                spokes[i] = listener.accept();
            }
        }
        listener.close();
        if (blocking)
        {
            final BlockingRelay relay = new BlockingRelay("relay", hub, spokes).start();
            relay.join();
            relay.close();
        }
        else
        {
            final SelectIdleStrategy strategy = SelectIdleStrategy.forKind(idle);
            final AgentRunner runner = new AgentRunner(strategy, RelayMain::onError, null,
                new Relay("relay", strategy, hub, spokes));
            AgentRunner.startOnThread(runner).join();
        }
    }

    private static void onError(final Throwable error)
    {
        // a relay ends when a side closes; the process then exits
    }
}
