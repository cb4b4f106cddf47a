package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.server.Cluster;
import io.msgc.wire.DataFrame;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.ReasonFrame;
import io.msgc.wire.ServiceType;
import io.msgc.wire.WelcomeFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * multicast, join and leave return a positive correlation id; the frame carries it and an ERROR about that frame
 * brings it back to {@code onError}, so an error can be tied to the call that caused it.
 */
class CorrelationTest
{
    @Test
    void aRefusedJoinOrLeaveComesBackWithTheIdOfItsCall() throws Exception
    {
        try (Cluster cluster = new Cluster(1).startAll();
            TestMember member = TestMember.connect("m", cluster.address(1)))
        {
            final long first = member.client.join("g");
            assertTrue(first > 0, "join returns a positive id: " + first);
            member.awaitView(v -> v.group.equals("g"), "own join");
            final long second = member.client.join("g");
            final long leave = member.client.leave("never-joined");
            assertTrue(second > first && leave > second, first + " " + second + " " + leave);
            Cluster.await("two errors", 5000, () -> member.errors.size() == 2);
            assertEquals(List.of(second, leave), new ArrayList<>(member.errorIds));
            assertTrue(member.errors.peek().startsWith("LIMIT_EXCEEDED"), member.errors.toString());
        }
    }

    @Test
    void aMessageCarriesItsIdAndAnErrorAboutItBringsItBack() throws Exception
    {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            // a server that refuses every DATA with an ERROR about that frame's correlation id
            final CompletableFuture<List<Long>> stamps = new CompletableFuture<>();
            final CompletableFuture<Void> server = CompletableFuture.runAsync(() -> refuseData(fake, 3, stamps));
            final ClientConfig config = ClientConfig.builder()
                .server(fake.getInetAddress().getHostAddress(), fake.getLocalPort()).name("alice").reconnect(false)
                .build();
            final List<Long> errorIds = new ArrayList<>();
            final List<String> reasons = new ArrayList<>();
            final MessageHandler handler = new MessageHandler()
            {
                public void onMessage(final Message message)
                {
                }

                public void onError(final long correlationId, final int code, final String reason)
                {
                    errorIds.add(correlationId);
                    reasons.add(ErrorCode.name(code) + " " + reason);
                }
            };
            try (MsgcClient client = MsgcClient.connect(config))
            {
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
                final List<Long> ids = new ArrayList<>();
                for (int i = 0; i < 3; i++)
                {
                    final long id = client.multicast(ServiceType.FIFO, 1, payload, 0, 8, "g");
                    assertTrue(id > 0, "multicast returns a positive id: " + id);
                    ids.add(id);
                }
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (errorIds.size() < 3 && System.nanoTime() < deadline)
                {
                    client.poll(handler, 10, 100);
                }
                assertEquals(ids, stamps.get(5, TimeUnit.SECONDS), "each DATA frame carries its call's id");
                assertEquals(ids, errorIds, reasons.toString());
                assertEquals(ids.size(), ids.stream().distinct().count());
            }
            server.get(5, TimeUnit.SECONDS);
        }
    }

    private static void refuseData(final ServerSocket fake, final int count, final CompletableFuture<List<Long>> done)
    {
        final List<Long> stamps = new ArrayList<>();
        try (Socket socket = fake.accept())
        {
            socket.setSoTimeout(5000);
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final UnsafeBuffer out = new UnsafeBuffer(new byte[1024]);
            readFrame(in);
            socket.getOutputStream().write(out.byteArray(), 0,
                WelcomeFrame.encode(out, 0, 1L, 0, 1 << 20, "node1", "#alice#node1"));
            while (stamps.size() < count)
            {
                final UnsafeBuffer frame = readFrame(in);
                if (FrameHeader.type(frame, 0) != FrameType.DATA)
                {
                    continue;
                }
                final long stamp = frame.getLong(DataFrame.STAMP_OFFSET, ByteOrder.LITTLE_ENDIAN);
                stamps.add(stamp);
                socket.getOutputStream().write(out.byteArray(), 0,
                    ReasonFrame.encode(out, 0, FrameType.ERROR, stamp, ErrorCode.MALFORMED_FRAME, "refused"));
            }
            socket.getOutputStream().flush();
            done.complete(stamps);
            while (in.read() >= 0)
            {
                Thread.onSpinWait();
            }
        }
        catch (final IOException ex)
        {
            // the client closed
        }
        done.complete(stamps);
    }

    private static UnsafeBuffer readFrame(final DataInputStream in) throws IOException
    {
        final byte[] header = new byte[FrameHeader.LENGTH];
        in.readFully(header);
        final int length = new UnsafeBuffer(header).getInt(0, ByteOrder.LITTLE_ENDIAN);
        final byte[] frame = new byte[length];
        System.arraycopy(header, 0, frame, 0, header.length);
        in.readFully(frame, header.length, length - header.length);
        return new UnsafeBuffer(frame);
    }
}
