package io.msgc.bench;

import io.msgc.wire.DataFrame;
import io.msgc.wire.ServiceType;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Encode and decode (validate + walk destinations) of a DATA frame, the frame on the data path.
 * Run with {@code -prof gc}: both must allocate 0 B per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBenchmark
{
    @Param({"32", "288", "1344"})
    int payloadSize;

    private final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
    private final UnsafeBuffer payload = new UnsafeBuffer(BufferUtil.allocateDirectAligned(2048, 64));
    private final String[] groups = {"orders", "#alice#node2", "prices.eu"};
    private final DataFrame decoder = new DataFrame();
    private int encodedLength;

    /** Encode one frame to decode in the decode benchmark. */
    @Setup
    public void setup()
    {
        encodedLength = encode();
    }

    /**
     * @return frame length, consumed so the work is not eliminated.
     */
    @Benchmark
    public int encode()
    {
        return DataFrame.encode(buffer, 0, 0L, ServiceType.FIFO, 7, "#bob#node1", groups, groups.length,
            payload, 0, payloadSize);
    }

    /**
     * @return payload offset, consumed so the work is not eliminated.
     */
    @Benchmark
    public int decode()
    {
        final String error = decoder.wrap(buffer, 0, encodedLength);
        return error == null ? decoder.payloadOffset() + decoder.destinationCount() : -1;
    }
}
