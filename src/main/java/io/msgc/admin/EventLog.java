package io.msgc.admin;

import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One line per event, greppable: {@code 2026-11-25T01:02:03.456Z NOTICE node1 peer-up node=node2 ...}, or the
 * same event as one JSON object per line ({@code log_format = json}). Lifecycle events (NOTICE and above) are
 * always written; {@code debug_level} lowers the threshold to show INFO/DEBUG detail. Never called per message:
 * only on events.
 * <p>
 * Off the event loop: {@link #log} formats the line and writes it into an Agrona {@link ManyToOneRingBuffer}; a
 * daemon thread drains the ring to standard output or to {@code log_file}. A blocked output (a full pipe, a
 * stopped terminal, a hung disk) therefore never stalls the caller: once the ring is full, lines are dropped and
 * counted, and the count is written as a {@code log-dropped} line as soon as the output drains again.
 * Reconfiguration ({@link #configure}) and reopening the file ({@link #reopen}, for logrotate) travel through the
 * ring as well, so they apply exactly between the lines logged before and after them.
 */
public final class EventLog implements AutoCloseable
{
    /** Momentum's levels, lowest first. */
    public enum Level
    {
        /** Detail for debugging. */
        DEBUG,
        /** Per-connection detail. */
        INFO,
        /** Lifecycle events: always shown. */
        NOTICE,
        /** Something is wrong but service continues. */
        WARNING,
        /** An operation failed. */
        ERROR,
        /** The process cannot continue. */
        CRITICAL
    }

    /** Default ring capacity: about 5,000 lines of 200 bytes. */
    public static final int DEFAULT_RING_CAPACITY = 1 << 20;

    private static final int LINE = 1;
    private static final int SET_FILE = 2;
    private static final int REOPEN = 3;
    private static final long CLOSE_WAIT_MS = 2000;

    private final String source;
    private final PrintStream stdout;
    private final ManyToOneRingBuffer ring;
    private final int maxLine;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedTotal = new AtomicLong();
    private final Thread drainer;
    private volatile Level threshold;
    private volatile boolean json;
    private volatile boolean running = true;
    private volatile long writtenPosition;

    // drainer thread only
    private OutputStream sink;
    private FileOutputStream file;
    private Path filePath;
    private byte[] scratch = new byte[1024];

    /**
     * A text log to {@code out} with the default ring.
     *
     * @param source     node or client name written in every line.
     * @param out        destination.
     * @param debugLevel configured {@code debug_level}; NOTICE and above are always written.
     */
    public EventLog(final String source, final PrintStream out, final String debugLevel)
    {
        this(source, out, debugLevel, DEFAULT_RING_CAPACITY);
    }

    /**
     * @param source       node or client name written in every line.
     * @param out          destination until a {@code log_file} is configured.
     * @param debugLevel   configured {@code debug_level}; NOTICE and above are always written.
     * @param ringCapacity bytes of lines that may wait for the output, a power of two.
     */
    public EventLog(final String source, final PrintStream out, final String debugLevel, final int ringCapacity)
    {
        this.source = source;
        this.stdout = out;
        this.sink = out;
        this.threshold = threshold(debugLevel);
        ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(ringCapacity + RingBufferDescriptor.TRAILER_LENGTH, 64)));
        maxLine = ring.maxMsgLength();
        drainer = new Thread(this::drain, "msgc-log-" + source);
        drainer.setDaemon(true);
        drainer.start();
    }

    private static Level threshold(final String debugLevel)
    {
        final Level configured = Level.valueOf(debugLevel.toUpperCase(Locale.ROOT));
        return configured.compareTo(Level.NOTICE) < 0 ? configured : Level.NOTICE;
    }

    /**
     * Apply a (re)loaded configuration: the threshold and format at once, the output in order with the lines.
     *
     * @param debugLevel {@code debug_level}.
     * @param logFile    {@code log_file}, or null for the standard output given at construction.
     * @param format     {@code log_format}: {@code text} or {@code json}.
     */
    public void configure(final String debugLevel, final String logFile, final String format)
    {
        threshold = threshold(debugLevel);
        json = "json".equalsIgnoreCase(format);
        control(SET_FILE, logFile == null ? "" : logFile);
    }

    /**
     * Close and reopen the log file (after logrotate moved it); a no-op for standard output.
     */
    public void reopen()
    {
        control(REOPEN, "");
    }

    private void control(final int type, final String argument)
    {
        final byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MS);
        while (!ring.write(type, new UnsafeBuffer(bytes), 0, bytes.length))
        {
            if (System.nanoTime() > deadline)
            {
                dropped.incrementAndGet();
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * @param level a level.
     * @return true when lines of that level are written.
     */
    public boolean isEnabled(final Level level)
    {
        return level.compareTo(threshold) >= 0;
    }

    /**
     * Log one event line. Never blocks: when the ring is full the line is dropped and counted.
     *
     * @param level   severity.
     * @param event   short dash-separated event name, e.g. {@code peer-up}.
     * @param details {@code key=value} pairs; values with blanks are written {@code key="..."}.
     */
    public void log(final Level level, final String event, final String details)
    {
        if (!isEnabled(level))
        {
            return;
        }
        final String time = Instant.now().toString();
        final String line = json ? jsonLine(time, level, source, event, details) :
            time + " " + level + " " + source + " " + event + (details.isEmpty() ? "" : " " + details);
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (bytes.length > maxLine)
        {
            bytes = Arrays.copyOf(bytes, maxLine);
            bytes[maxLine - 1] = '\n';
        }
        final int index = ring.tryClaim(LINE, bytes.length);
        if (index < 0)
        {
            dropped.incrementAndGet();
            return;
        }
        ring.buffer().putBytes(index, bytes);
        ring.commit(index);
    }

    /**
     * @param event   event name.
     * @param details key=value pairs.
     */
    public void notice(final String event, final String details)
    {
        log(Level.NOTICE, event, details);
    }

    /**
     * @param event   event name.
     * @param details key=value pairs.
     */
    public void warn(final String event, final String details)
    {
        log(Level.WARNING, event, details);
    }

    /**
     * @param event   event name.
     * @param details key=value pairs.
     */
    public void info(final String event, final String details)
    {
        log(Level.INFO, event, details);
    }

    /**
     * @return lines dropped since the start because the ring was full.
     */
    public long droppedTotal()
    {
        return droppedTotal.get() + dropped.get();
    }

    /**
     * Wait until every line logged before this call is written and flushed.
     *
     * @param timeoutMs longest wait.
     * @return true when written, false on timeout (the output is blocked).
     */
    public boolean flush(final long timeoutMs)
    {
        final long target = ring.producerPosition();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (writtenPosition < target)
        {
            if (System.nanoTime() > deadline || !drainer.isAlive())
            {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
        return true;
    }

    /**
     * Write what is queued (waiting at most 2 s for a blocked output), then stop the drain thread and close the
     * log file. Lines logged afterwards are dropped.
     */
    public void close()
    {
        flush(CLOSE_WAIT_MS);
        running = false;
        try
        {
            drainer.join(CLOSE_WAIT_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the drain thread

    private void drain()
    {
        final MessageHandler handler = this::onRecord;
        int idleMs = 1;
        while (true)
        {
            final int read = ring.read(handler, 256);
            if (read > 0)
            {
                idleMs = 1;
                continue;
            }
            final long position = ring.consumerPosition();
            flushSink();
            reportDropped();
            writtenPosition = position;
            if (!running)
            {
                break;
            }
            // lines are not urgent: back off to 20 ms when idle, so an idle node wakes rarely
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(idleMs));
            idleMs = Math.min(20, idleMs * 2);
        }
        closeFile();
    }

    private void onRecord(final int type, final MutableDirectBuffer buffer, final int index,
        final int length)
    {
        if (scratch.length < length)
        {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        buffer.getBytes(index, scratch, 0, length);
        switch (type)
        {
            case LINE -> write(scratch, length);
            case SET_FILE -> setFile(new String(scratch, 0, length, StandardCharsets.UTF_8));
            case REOPEN -> reopenFile();
            default -> { }
        }
    }

    private void write(final byte[] bytes, final int length)
    {
        try
        {
            sink.write(bytes, 0, length);
        }
        catch (final IOException ex)
        {
            dropped.incrementAndGet();
        }
    }

    private void writeOwn(final Level level, final String event, final String details)
    {
        final String time = Instant.now().toString();
        final String line = (json ? jsonLine(time, level, source, event, details) :
            time + " " + level + " " + source + " " + event + " " + details) + "\n";
        final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        write(bytes, bytes.length);
    }

    private void flushSink()
    {
        try
        {
            sink.flush();
        }
        catch (final IOException ignore)
        {
            // counted when the next write fails
        }
    }

    private void reportDropped()
    {
        final long lost = dropped.getAndSet(0);
        if (lost > 0)
        {
            droppedTotal.addAndGet(lost);
            writeOwn(Level.WARNING, "log-dropped", "lines=" + lost +
                " reason=\"log ring full: the output was blocked or too slow\"");
            flushSink();
        }
    }

    private void setFile(final String path)
    {
        final Path next = path.isEmpty() ? null : Path.of(path);
        if (next == null ? filePath == null : next.equals(filePath))
        {
            return;
        }
        if (next == null)
        {
            closeFile();
            sink = stdout;
            return;
        }
        try
        {
            final FileOutputStream opened = open(next);
            closeFile();
            file = opened;
            filePath = next;
            sink = new BufferedOutputStream(opened, 64 * 1024);
        }
        catch (final IOException ex)
        {
            writeOwn(Level.ERROR, "log-file-failed", "path=" + path + " reason=\"" + ex +
                "\" action=\"still logging to the previous output\"");
        }
    }

    private void reopenFile()
    {
        if (filePath == null)
        {
            return;
        }
        try
        {
            final FileOutputStream opened = open(filePath);
            closeFile();
            file = opened;
            sink = new BufferedOutputStream(opened, 64 * 1024);
            writeOwn(Level.NOTICE, "log-reopened", "path=" + filePath);
        }
        catch (final IOException ex)
        {
            writeOwn(Level.ERROR, "log-file-failed", "path=" + filePath + " reason=\"" + ex +
                "\" action=\"still logging to the previous file\"");
        }
    }

    private static FileOutputStream open(final Path path) throws IOException
    {
        final Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent))
        {
            throw new IOException("directory " + parent + " does not exist");
        }
        return new FileOutputStream(path.toFile(), true);
    }

    private void closeFile()
    {
        if (file != null)
        {
            flushSink();
            try
            {
                file.close();
            }
            catch (final IOException ignore)
            {
                // nothing to do
            }
            file = null;
            sink = stdout;
        }
    }

    // ---------------------------------------------------------------- JSON lines

    /**
     * Render one event as a JSON object: {@code ts}, {@code level}, {@code source}, {@code event}, then one field
     * per {@code key=value} of the details (a quoted value unquoted, a bracketed list kept as text, an integer as
     * a number); what does not parse as {@code key=value} goes to {@code text}.
     */
    static String jsonLine(
        final String time, final Level level, final String source, final String event, final String details)
    {
        final StringBuilder out = new StringBuilder(128 + details.length());
        out.append("{\"ts\":\"").append(time).append("\",\"level\":\"").append(level).append("\",\"source\":")
            .append(Json.string(source)).append(",\"event\":").append(Json.string(event));
        final StringBuilder text = new StringBuilder();
        int i = 0;
        final int n = details.length();
        while (i < n)
        {
            while (i < n && details.charAt(i) == ' ')
            {
                i++;
            }
            if (i >= n)
            {
                break;
            }
            int eq = i;
            while (eq < n && isKeyChar(details.charAt(eq)))
            {
                eq++;
            }
            if (eq == i || eq >= n || details.charAt(eq) != '=')
            {
                final int end = details.indexOf(' ', i);
                text.append(text.length() == 0 ? "" : " ").append(details, i, end < 0 ? n : end);
                i = end < 0 ? n : end;
                continue;
            }
            final String key = details.substring(i, eq);
            final int start = eq + 1;
            int end;
            final String value;
            boolean quoted = false;
            if (start < n && details.charAt(start) == '"')
            {
                end = details.indexOf('"', start + 1);
                while (end > 0 && !closesValue(details, end))
                {
                    end = details.indexOf('"', end + 1); // a quote inside the value
                }
                end = end < 0 ? n : end + 1;
                value = details.substring(start + 1, Math.max(start + 1, end - 1));
                quoted = true;
            }
            else if (start < n && details.charAt(start) == '[')
            {
                int depth = 0;
                end = start;
                while (end < n)
                {
                    final char c = details.charAt(end++);
                    depth += c == '[' ? 1 : c == ']' ? -1 : 0;
                    if (depth == 0)
                    {
                        break;
                    }
                }
                value = details.substring(start, end);
            }
            else
            {
                end = details.indexOf(' ', start);
                end = end < 0 ? n : end;
                value = details.substring(start, end);
            }
            out.append(',').append(Json.string(key)).append(':');
            if (!quoted && value.matches("-?[0-9]{1,18}"))
            {
                out.append(value);
            }
            else
            {
                out.append(Json.string(value));
            }
            i = end;
        }
        if (text.length() > 0)
        {
            out.append(",\"text\":").append(Json.string(text.toString()));
        }
        return out.append('}').toString();
    }

    /** A quote closes a value when the details end there or the next word is {@code key=}. */
    private static boolean closesValue(final String details, final int quote)
    {
        final int n = details.length();
        if (quote + 1 == n)
        {
            return true;
        }
        if (details.charAt(quote + 1) != ' ')
        {
            return false;
        }
        int i = quote + 2;
        while (i < n && isKeyChar(details.charAt(i)))
        {
            i++;
        }
        return i == n || (i > quote + 2 && details.charAt(i) == '=') || details.indexOf('"', quote + 1) < 0;
    }

    private static boolean isKeyChar(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
            c == '.';
    }
}
