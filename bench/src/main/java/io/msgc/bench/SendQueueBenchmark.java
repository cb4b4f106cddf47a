package io.msgc.bench;

import io.msgc.conf.ClientConfig;
import io.msgc.wire.DataFrame;
import io.msgc.wire.ServiceType;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client's hand-off of a DATA frame (64-byte payload, one destination) from an application thread to the
 * I/O thread: the Agrona {@link ManyToOneRingBuffer} used the way {@code MsgcClient} uses it (tryClaim, encode
 * in place, commit; the reader copies each frame out, as {@code Connection.offer} does), against
 * {@link ArrayBlockingQueue} as the JDK reference. An ABQ carries objects, not bytes, so it needs one of:
 * <ul>
 *   <li>{@code abqCopy}: a fresh {@code byte[]} per message, encoded by the producer (allocates per message);</li>
 *   <li>{@code abqPooled}: pooled frame holders that go back to the producer through a second ABQ (no
 *       allocation of its own, two queue operations per message on each side).</li>
 * </ul>
 * Group benchmarks: one operation is one message sent (producer) or received (consumer); a side that finds the
 * queue full or empty spins until it can go on, so both sides report the time per message of the pair.
 * {@code ring}, {@code abqCopy}, {@code abqPooled}: 1 producer : 1 consumer; {@code ring2p}, {@code abqCopy2p},
 * {@code abqPooled2p}: 2 producers : 1 consumer. Do not use {@code -tg}: JMH assigns its counts to the methods in
 * name order (consume before produce), so {@code -tg 2,1} would start two consumers, which a
 * {@link ManyToOneRingBuffer} does not allow. The {@code *RoundTrip} benchmarks do both halves on one thread:
 * the cost of the queue operations without cross-core traffic.
 * <p>
 * With {@code -prof gc}, {@code gc.alloc.rate.norm} of a group divides by producer + consumer operations, so
 * the bytes per message are about twice that figure at 1:1.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SendQueueBenchmark
{
    /** Record type of a queued frame, as in MsgcClient. */
    static final int FRAME_RECORD = 1;
    /** Payload of every message. */
    static final int PAYLOAD_SIZE = 64;
    /** The one destination. */
    static final String[] DESTINATIONS = {"orders"};
    /** Encoded DATA frame length: fixed fields, empty sender, one destination, payload. */
    static final int FRAME_LENGTH = DataFrame.SENDER_OFFSET + 1 + 1 + DESTINATIONS[0].length() + PAYLOAD_SIZE;
    /** Ring capacity in bytes, by MsgcClient's formula with the default client config (16 MiB). */
    static final int RING_CAPACITY;
    /** Messages of {@link #FRAME_LENGTH} that fit in the ring: the ABQs get the same capacity. */
    static final int MESSAGES;

    static
    {
        final ClientConfig config = ClientConfig.builder().build();
        RING_CAPACITY = BitUtil.findNextPositivePowerOfTwo(
            Math.max(config.sendQueueCapacity(), (config.maxFrameSize() + 1024) * 8));
        MESSAGES = RING_CAPACITY / BitUtil.align(RecordDescriptor.HEADER_LENGTH + FRAME_LENGTH,
            RecordDescriptor.ALIGNMENT);
    }

    /** Payload bytes, only read. */
    static final UnsafeBuffer PAYLOAD = new UnsafeBuffer(new byte[PAYLOAD_SIZE]);

    /**
     * Encode one message as MsgcClient.multicast does: header fields and destinations, payload, frame header.
     *
     * @return frame length.
     */
    static int encode(final MutableDirectBuffer buffer, final int index)
    {
        return DataFrame.encode(buffer, index, 0L, ServiceType.FIFO, 7, "", DESTINATIONS, 1, PAYLOAD, 0, PAYLOAD_SIZE);
    }

    /** The client's send queue. */
    @State(Scope.Group)
    public static class RingQueue
    {
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH, 64)));

        /** Check the encoded length, once. */
        @Setup
        public void setup()
        {
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);
            if (encode(scratch, 0) != FRAME_LENGTH)
            {
                throw new IllegalStateException("frame length " + encode(scratch, 0) + " != " + FRAME_LENGTH);
            }
        }
    }

    /** A send queue of one thread, for the round-trip benchmark. */
    @State(Scope.Thread)
    public static class LocalRingQueue extends RingQueue
    {
    }

    /** ABQ of freshly allocated frames. */
    @State(Scope.Group)
    public static class CopyQueue
    {
        final ArrayBlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(MESSAGES);
    }

    /** A copy queue of one thread, for the round-trip benchmark. */
    @State(Scope.Thread)
    public static class LocalCopyQueue extends CopyQueue
    {
    }

    /** A pre-allocated frame: what {@code abqPooled} passes instead of bytes. */
    static final class Holder
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[FRAME_LENGTH]);
        int length;
    }

    /** ABQ of pooled holders, plus the ABQ that returns them to the producers. */
    @State(Scope.Group)
    public static class PooledQueue
    {
        final ArrayBlockingQueue<Holder> full = new ArrayBlockingQueue<>(MESSAGES);
        final ArrayBlockingQueue<Holder> free = new ArrayBlockingQueue<>(MESSAGES);

        /** Fill the pool: as many holders as the ring holds messages. */
        @Setup
        public void setup()
        {
            for (int i = 0; i < MESSAGES; i++)
            {
                free.add(new Holder());
            }
        }
    }

    /** A pooled queue of one thread, for the round-trip benchmark. */
    @State(Scope.Thread)
    public static class LocalPooledQueue extends PooledQueue
    {
    }

    /** The I/O thread's side: copies each frame into its write buffer, as Connection.offer does. */
    @State(Scope.Thread)
    public static class Consumer implements ControlledMessageHandler
    {
        final UnsafeBuffer writeBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
        long received;

        /**
         * Copy one frame out of the ring.
         *
         * @return CONTINUE.
         */
        public Action onMessage(
            final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            writeBuffer.putBytes(0, buffer, index, length);
            received++;
            return Action.CONTINUE;
        }
    }

    /** An application thread's side. */
    @State(Scope.Thread)
    public static class Producer
    {
        final UnsafeBuffer wrapper = new UnsafeBuffer(0, 0);
    }

    // ---------------------------------------------------------------- ring buffer

    /**
     * Claim, encode in place, commit: MsgcClient.multicast's hand-off. Spins while the ring is full.
     *
     * @return ring index, or -1 when the iteration ended while the ring was full.
     */
    @Benchmark
    @Group("ring")
    @GroupThreads(1)
    public int ringProduce(final RingQueue queue, final Control control)
    {
        final ManyToOneRingBuffer ring = queue.ring;
        int index;
        while ((index = ring.tryClaim(FRAME_RECORD, FRAME_LENGTH)) < 0)
        {
            if (control.stopMeasurement)
            {
                return -1;
            }
            Thread.onSpinWait();
        }
        encode(ring.buffer(), index);
        ring.commit(index);
        return index;
    }

    /**
     * Read one frame and copy it out, as MsgcClient's I/O thread does (it reads up to 4096 per call; one here,
     * so that one operation is one message). Spins while the ring is empty.
     *
     * @return messages read so far.
     */
    @Benchmark
    @Group("ring")
    @GroupThreads(1)
    public long ringConsume(final RingQueue queue, final Consumer consumer, final Control control)
    {
        while (queue.ring.controlledRead(consumer, 1) == 0)
        {
            if (control.stopMeasurement)
            {
                break;
            }
            Thread.onSpinWait();
        }
        return consumer.received;
    }

    /**
     * Both halves on one thread: claim, encode, commit, read, copy out.
     *
     * @return messages read so far.
     */
    @Benchmark
    public long ringRoundTrip(final LocalRingQueue queue, final Consumer consumer)
    {
        final ManyToOneRingBuffer ring = queue.ring;
        final int index = ring.tryClaim(FRAME_RECORD, FRAME_LENGTH);
        encode(ring.buffer(), index);
        ring.commit(index);
        ring.controlledRead(consumer, 1);
        return consumer.received;
    }

    // ---------------------------------------------------------------- ABQ, a byte[] per message

    /**
     * Encode into a new byte[] and offer it. Spins while the queue is full.
     *
     * @return frame length, or -1 when the iteration ended while the queue was full.
     */
    @Benchmark
    @Group("abqCopy")
    @GroupThreads(1)
    public int abqCopyProduce(final CopyQueue queue, final Producer producer, final Control control)
    {
        final byte[] frame = new byte[FRAME_LENGTH];
        producer.wrapper.wrap(frame);
        encode(producer.wrapper, 0);
        while (!queue.queue.offer(frame))
        {
            if (control.stopMeasurement)
            {
                return -1;
            }
            Thread.onSpinWait();
        }
        return frame.length;
    }

    /**
     * Poll one frame and copy it out. Spins while the queue is empty.
     *
     * @return messages read so far.
     */
    @Benchmark
    @Group("abqCopy")
    @GroupThreads(1)
    public long abqCopyConsume(final CopyQueue queue, final Consumer consumer, final Control control)
    {
        byte[] frame;
        while ((frame = queue.queue.poll()) == null)
        {
            if (control.stopMeasurement)
            {
                return consumer.received;
            }
            Thread.onSpinWait();
        }
        consumer.writeBuffer.putBytes(0, frame, 0, frame.length);
        return ++consumer.received;
    }

    /**
     * Both halves on one thread: new byte[], encode, offer, poll, copy out.
     *
     * @return messages read so far.
     */
    @Benchmark
    public long abqCopyRoundTrip(final LocalCopyQueue queue, final Producer producer, final Consumer consumer)
    {
        final byte[] frame = new byte[FRAME_LENGTH];
        producer.wrapper.wrap(frame);
        encode(producer.wrapper, 0);
        queue.queue.offer(frame);
        final byte[] polled = queue.queue.poll();
        consumer.writeBuffer.putBytes(0, polled, 0, polled.length);
        return ++consumer.received;
    }

    // ---------------------------------------------------------------- ABQ, pooled holders

    /**
     * Take a free holder, encode into it, offer it. Spins while no holder is free (the queue is full).
     *
     * @return frame length, or -1 when the iteration ended with no holder free.
     */
    @Benchmark
    @Group("abqPooled")
    @GroupThreads(1)
    public int abqPooledProduce(final PooledQueue queue, final Control control)
    {
        Holder holder;
        while ((holder = queue.free.poll()) == null)
        {
            if (control.stopMeasurement)
            {
                return -1;
            }
            Thread.onSpinWait();
        }
        holder.length = encode(holder.buffer, 0);
        queue.full.offer(holder);
        return holder.length;
    }

    /**
     * Poll one holder, copy the frame out, give the holder back. Spins while the queue is empty.
     *
     * @return messages read so far.
     */
    @Benchmark
    @Group("abqPooled")
    @GroupThreads(1)
    public long abqPooledConsume(final PooledQueue queue, final Consumer consumer, final Control control)
    {
        Holder holder;
        while ((holder = queue.full.poll()) == null)
        {
            if (control.stopMeasurement)
            {
                return consumer.received;
            }
            Thread.onSpinWait();
        }
        consumer.writeBuffer.putBytes(0, holder.buffer, 0, holder.length);
        queue.free.offer(holder);
        return ++consumer.received;
    }

    /**
     * Both halves on one thread: take a holder, encode, offer, poll, copy out, give the holder back.
     *
     * @return messages read so far.
     */
    @Benchmark
    public long abqPooledRoundTrip(final LocalPooledQueue queue, final Consumer consumer)
    {
        final Holder holder = queue.free.poll();
        holder.length = encode(holder.buffer, 0);
        queue.full.offer(holder);
        final Holder polled = queue.full.poll();
        consumer.writeBuffer.putBytes(0, polled.buffer, 0, polled.length);
        queue.free.offer(polled);
        return ++consumer.received;
    }

    // ---------------------------------------------------------------- 2 producers : 1 consumer

    /**
     * {@link #ringProduce} on each of two application threads.
     *
     * @return as {@link #ringProduce}.
     */
    @Benchmark
    @Group("ring2p")
    @GroupThreads(2)
    public int ring2pProduce(final RingQueue queue, final Control control)
    {
        return ringProduce(queue, control);
    }

    /**
     * {@link #ringConsume} on the one I/O thread.
     *
     * @return as {@link #ringConsume}.
     */
    @Benchmark
    @Group("ring2p")
    @GroupThreads(1)
    public long ring2pConsume(final RingQueue queue, final Consumer consumer, final Control control)
    {
        return ringConsume(queue, consumer, control);
    }

    /**
     * {@link #abqCopyProduce} on each of two application threads.
     *
     * @return as {@link #abqCopyProduce}.
     */
    @Benchmark
    @Group("abqCopy2p")
    @GroupThreads(2)
    public int abqCopy2pProduce(final CopyQueue queue, final Producer producer, final Control control)
    {
        return abqCopyProduce(queue, producer, control);
    }

    /**
     * {@link #abqCopyConsume} on the one consumer thread.
     *
     * @return as {@link #abqCopyConsume}.
     */
    @Benchmark
    @Group("abqCopy2p")
    @GroupThreads(1)
    public long abqCopy2pConsume(final CopyQueue queue, final Consumer consumer, final Control control)
    {
        return abqCopyConsume(queue, consumer, control);
    }

    /**
     * {@link #abqPooledProduce} on each of two application threads.
     *
     * @return as {@link #abqPooledProduce}.
     */
    @Benchmark
    @Group("abqPooled2p")
    @GroupThreads(2)
    public int abqPooled2pProduce(final PooledQueue queue, final Control control)
    {
        return abqPooledProduce(queue, control);
    }

    /**
     * {@link #abqPooledConsume} on the one consumer thread.
     *
     * @return as {@link #abqPooledConsume}.
     */
    @Benchmark
    @Group("abqPooled2p")
    @GroupThreads(1)
    public long abqPooled2pConsume(final PooledQueue queue, final Consumer consumer, final Control control)
    {
        return abqPooledConsume(queue, consumer, control);
    }
}
