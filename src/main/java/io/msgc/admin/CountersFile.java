package io.msgc.admin;

import io.msgc.conf.PeerConfig;
import io.msgc.conf.ServerConfig;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * A node's counters file, Aeron's CnC idea: one memory-mapped file that the node writes and any process may read
 * without talking to the node, so {@code msgc stat} works even when the event loop is stuck or the process is
 * stopped. Layout (little-endian):
 * <pre>
 *   header, 4096 bytes:
 *     0   int32   magic 0x4347534D ("MSGC"), written last: a reader that sees it sees a complete header
 *     4   int32   layout version ({@link #LAYOUT_VERSION})
 *     8   int64   pid of the writer
 *     16  int64   start time, Unix epoch ms
 *     24  int64   loop heartbeat: Unix epoch ms of a recent event-loop turn (written about every 100 ms)
 *     32  int64   stop time, Unix epoch ms; 0 while running
 *     40  int32   counters metadata length
 *     44  int32   counters values length
 *     48  int32   error log length
 *     52  int32   peer_timeout_ms of the writer (a reader calls the loop stalled past it)
 *     64  int32 + ASCII  msgc version (at most 120 bytes)
 *     192 int32 + ASCII  node name (at most 60 bytes)
 *   counters metadata   Agrona CountersManager metadata ({@link #MAX_COUNTERS} records)
 *   counters values     Agrona CountersManager values
 *   error log           Agrona DistinctErrorLog
 * </pre>
 * A clean stop writes the stop time and deletes the file; after a crash the file stays, and its pid is gone.
 */
public final class CountersFile implements AutoCloseable
{
    /** "MSGC" as a little-endian int32. */
    public static final int MAGIC = 0x4347534D;
    /** Version of this layout. */
    public static final int LAYOUT_VERSION = 1;
    /** Bytes of the header. */
    public static final int HEADER_LENGTH = 4096;
    /** Counters the file has room for: the system counters and six per peer for 64 peers, with slack. */
    public static final int MAX_COUNTERS = 512;
    /** Bytes of the error log. */
    public static final int ERROR_LOG_LENGTH = 256 * 1024;

    static final int MAGIC_OFFSET = 0;
    static final int LAYOUT_VERSION_OFFSET = 4;
    static final int PID_OFFSET = 8;
    static final int START_TIME_OFFSET = 16;
    static final int HEARTBEAT_OFFSET = 24;
    static final int STOP_TIME_OFFSET = 32;
    static final int METADATA_LENGTH_OFFSET = 40;
    static final int VALUES_LENGTH_OFFSET = 44;
    static final int ERROR_LOG_LENGTH_OFFSET = 48;
    static final int PEER_TIMEOUT_OFFSET = 52;
    static final int VERSION_OFFSET = 64;
    static final int NODE_OFFSET = 192;
    private static final int MAX_VERSION_LENGTH = 120;
    private static final int MAX_NODE_LENGTH = 60;

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final UnsafeBuffer metadata;
    private final UnsafeBuffer values;
    private final UnsafeBuffer errorLog;
    private final boolean writer;

    private CountersFile(final Path path, final MappedByteBuffer mapped, final int metadataLength,
        final int valuesLength, final int errorLogLength, final boolean writer)
    {
        this.path = path;
        this.mapped = mapped;
        this.writer = writer;
        header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        metadata = new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength);
        values = new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength);
        errorLog = new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength + valuesLength, errorLogLength);
    }

    /**
     * The file of a node: {@code counters_file} with {@code %n} replaced by the node name, or when it is not set
     * {@code msgc-NODE-HOST-PORT.counters} (the
     * node's own peers entry, so in-JVM test clusters on other addresses never share a file) in {@code /dev/shm}
     * when it exists (memory, not disk), else in {@code java.io.tmpdir}.
     *
     * @param config the server config.
     * @param node   the node name.
     * @return the path.
     */
    public static Path path(final ServerConfig config, final String node)
    {
        if (config.countersFile() != null)
        {
            // one config file serves every node: %n makes the path per node
            return Path.of(config.countersFile().replace("%n", node));
        }
        final PeerConfig self = config.peer(node);
        final String where = self == null ? "" : "-" + self.host() + "-" + self.port();
        final String name = ("msgc-" + node + where).replaceAll("[^A-Za-z0-9._-]", "_") + ".counters";
        final File shm = new File("/dev/shm");
        final Path dir = shm.isDirectory() && shm.canWrite() ? shm.toPath() :
            Path.of(System.getProperty("java.io.tmpdir"));
        return dir.resolve(name);
    }

    /**
     * Create (or replace) the file of a starting node. Refuses to replace the file of a live process.
     *
     * @param path          where.
     * @param node          node name.
     * @param version       msgc version.
     * @param pid           this process.
     * @param startMs       start time, epoch ms.
     * @param peerTimeoutMs the node's peer_timeout_ms.
     * @return the mapped file, header written.
     * @throws IOException when the file cannot be created, or another live process writes it.
     */
    public static CountersFile create(
        final Path path,
        final String node,
        final String version,
        final long pid,
        final long startMs,
        final int peerTimeoutMs) throws IOException
    {
        if (Files.exists(path))
        {
            String owner = null;
            try (CountersFile old = open(path))
            {
                if (old.isWriterAlive() && old.pid() != pid && old.stopTimeMs() == 0)
                {
                    owner = "counters file " + path + " belongs to the running process " + old.pid() + " (node " +
                        old.node() + ", started " + Instant.ofEpochMilli(old.startTimeMs()) +
                        "); is that node already running? Stop it, or set counters_file";
                }
            }
            catch (final IOException ignore)
            {
                // unreadable or foreign: replaced below
            }
            if (owner != null)
            {
                throw new IOException(owner);
            }
            Files.delete(path);
        }
        final Path parent = path.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        final int metadataLength = MAX_COUNTERS * CountersReader.METADATA_LENGTH;
        final int valuesLength = MAX_COUNTERS * CountersReader.COUNTER_LENGTH;
        final long total = (long)HEADER_LENGTH + metadataLength + valuesLength + ERROR_LOG_LENGTH;
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            // a new file reads as zeros: nothing to clear
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, total);
        }
        final CountersFile file = new CountersFile(path, mapped, metadataLength, valuesLength, ERROR_LOG_LENGTH, true);
        final UnsafeBuffer h = file.header;
        h.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
        h.putLong(PID_OFFSET, pid);
        h.putLong(START_TIME_OFFSET, startMs);
        h.putLong(HEARTBEAT_OFFSET, startMs);
        h.putInt(METADATA_LENGTH_OFFSET, metadataLength);
        h.putInt(VALUES_LENGTH_OFFSET, valuesLength);
        h.putInt(ERROR_LOG_LENGTH_OFFSET, ERROR_LOG_LENGTH);
        h.putInt(PEER_TIMEOUT_OFFSET, peerTimeoutMs);
        putString(h, VERSION_OFFSET, version, MAX_VERSION_LENGTH);
        putString(h, NODE_OFFSET, node, MAX_NODE_LENGTH);
        h.putIntOrdered(MAGIC_OFFSET, MAGIC);
        return file;
    }

    /**
     * Map an existing file read-only, for a reader in any process.
     *
     * @param path the file.
     * @return the mapped file.
     * @throws IOException when it is missing, too short, or not a counters file of this layout.
     */
    public static CountersFile open(final Path path) throws IOException
    {
        final MappedByteBuffer mapped;
        final long size;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            size = channel.size();
            if (size < HEADER_LENGTH)
            {
                throw new IOException(path + " is not a msgc counters file (" + size + " bytes)");
            }
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        final UnsafeBuffer h = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        final int magic = h.getIntVolatile(MAGIC_OFFSET);
        final int layout = h.getInt(LAYOUT_VERSION_OFFSET);
        final int metadataLength = h.getInt(METADATA_LENGTH_OFFSET);
        final int valuesLength = h.getInt(VALUES_LENGTH_OFFSET);
        final int errorLogLength = h.getInt(ERROR_LOG_LENGTH_OFFSET);
        final String problem = magic != MAGIC ? "not a msgc counters file (no MSGC magic; still starting?)" :
            layout != LAYOUT_VERSION ? "layout version " + layout + ", this build reads " + LAYOUT_VERSION :
            metadataLength < 0 || valuesLength < 0 || errorLogLength < 0 ||
            HEADER_LENGTH + (long)metadataLength + valuesLength + errorLogLength > size ? "truncated" : null;
        if (problem != null)
        {
            IoUtil.unmap(mapped);
            throw new IOException(path + ": " + problem);
        }
        return new CountersFile(path, mapped, metadataLength, valuesLength, errorLogLength, false);
    }

    private static void putString(final UnsafeBuffer buffer, final int offset, final String text, final int max)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        final int length = Math.min(bytes.length, max);
        buffer.putInt(offset, length);
        buffer.putBytes(offset + 4, bytes, 0, length);
    }

    private String getString(final int offset, final int max)
    {
        final int length = Math.max(0, Math.min(header.getInt(offset), max));
        return header.getStringWithoutLengthAscii(offset + 4, length);
    }

    /**
     * @return the file's path.
     */
    public Path path()
    {
        return path;
    }

    /**
     * @return the counters metadata buffer (for a {@link org.agrona.concurrent.status.CountersManager}).
     */
    public AtomicBuffer metadataBuffer()
    {
        return metadata;
    }

    /**
     * @return the counters values buffer.
     */
    public AtomicBuffer valuesBuffer()
    {
        return values;
    }

    /**
     * @return the error log buffer (for a {@link org.agrona.concurrent.errors.DistinctErrorLog}).
     */
    public AtomicBuffer errorLogBuffer()
    {
        return errorLog;
    }

    /**
     * @return a reader of the counters.
     */
    public CountersReader countersReader()
    {
        return new CountersReader(metadata, values, StandardCharsets.US_ASCII);
    }

    /**
     * @return the writer's pid.
     */
    public long pid()
    {
        return header.getLong(PID_OFFSET);
    }

    /**
     * @return the writer's start time, epoch ms.
     */
    public long startTimeMs()
    {
        return header.getLong(START_TIME_OFFSET);
    }

    /**
     * @return epoch ms of a recent event-loop turn.
     */
    public long heartbeatMs()
    {
        return header.getLongVolatile(HEARTBEAT_OFFSET);
    }

    /**
     * @return epoch ms of a clean stop, 0 while running (or after a crash).
     */
    public long stopTimeMs()
    {
        return header.getLongVolatile(STOP_TIME_OFFSET);
    }

    /**
     * @return the writer's peer_timeout_ms.
     */
    public int peerTimeoutMs()
    {
        return header.getInt(PEER_TIMEOUT_OFFSET);
    }

    /**
     * @return the msgc version of the writer.
     */
    public String version()
    {
        return getString(VERSION_OFFSET, MAX_VERSION_LENGTH);
    }

    /**
     * @return the node name.
     */
    public String node()
    {
        return getString(NODE_OFFSET, MAX_NODE_LENGTH);
    }

    /**
     * @return true while the writer's process exists (it may still be stopped or stuck: see {@link #heartbeatMs}).
     */
    public boolean isWriterAlive()
    {
        return ProcessHandle.of(pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Writer: note a loop turn. A release store, no allocation.
     *
     * @param epochMs now.
     */
    public void heartbeat(final long epochMs)
    {
        header.putLongOrdered(HEARTBEAT_OFFSET, epochMs);
    }

    /**
     * Writer: mark a clean stop; readers that still have the file mapped see it.
     *
     * @param epochMs now.
     */
    public void markStopped(final long epochMs)
    {
        header.putLongOrdered(STOP_TIME_OFFSET, epochMs);
    }

    /**
     * Unmap; the writer also deletes the file (a clean stop leaves nothing behind).
     */
    public void close()
    {
        IoUtil.unmap(mapped);
        if (writer)
        {
            try
            {
                Files.deleteIfExists(path);
            }
            catch (final IOException ignore)
            {
                // nothing a stopping node can do
            }
        }
    }
}
