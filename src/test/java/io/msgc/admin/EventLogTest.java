package io.msgc.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event log writes off the caller's thread: a blocked output never blocks a caller, lines dropped while it
 * is blocked are counted and reported; JSON lines; a log file reopened for logrotate; live reconfiguration.
 */
public class EventLogTest
{
    @TempDir
    Path dir;

    /** An output whose writes block until released: a full pipe, a stopped terminal. */
    public static final class BlockingOutput extends OutputStream
    {
        /** Count down to let writes through. */
        public final CountDownLatch release = new CountDownLatch(1);
        /** Counted down by the first write. */
        public final CountDownLatch blocked = new CountDownLatch(1);
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();

        public void write(final int b)
        {
            write(new byte[]{(byte)b}, 0, 1);
        }

        public void write(final byte[] bytes, final int offset, final int length)
        {
            blocked.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            synchronized (written)
            {
                written.write(bytes, offset, length);
            }
        }

        /**
         * @return what was written once released.
         */
        public String text()
        {
            synchronized (written)
            {
                return written.toString();
            }
        }
    }

    @Test
    void aBlockedOutputNeverBlocksTheCallerAndDroppedLinesAreReported() throws Exception
    {
        final BlockingOutput output = new BlockingOutput();
        final EventLog log = new EventLog("t", new PrintStream(output, false), "NOTICE", 64 * 1024);
        try
        {
            log.notice("first", "n=0");
            assertTrue(output.blocked.await(5, TimeUnit.SECONDS), "the drain thread writes");
            final Thread caller = new Thread(() ->
            {
                for (int i = 1; i <= 5000; i++)
                {
                    log.notice("event", "n=" + i + " padding=\"" + "x".repeat(80) + "\"");
                }
            });
            caller.start();
            caller.join(5000);
            assertFalse(caller.isAlive(), "5,000 lines into a log whose output is blocked must not block");
            final long dropped = log.droppedTotal();
            assertTrue(dropped > 0, "a 64 KiB ring cannot hold 5,000 lines of 100 bytes");
            assertFalse(log.flush(100), "nothing is written while the output is blocked");

            output.release.countDown();
            assertTrue(log.flush(5000));
            final String text = output.text();
            assertTrue(text.contains(" NOTICE t first n=0\n"), text.substring(0, Math.min(300, text.length())));
            assertTrue(text.contains(" WARNING t log-dropped lines=" + dropped +
                " reason=\"log ring full: the output was blocked or too slow\"\n"), text.substring(
                Math.max(0, text.length() - 500)));
            final long written = text.lines().filter(l -> l.contains(" event n=")).count();
            assertEquals(5000 - dropped, written);
        }
        finally
        {
            output.release.countDown();
            log.close();
        }
    }

    @Test
    void jsonLinesHaveOneFieldPerDetail() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final EventLog log = new EventLog("node1", new PrintStream(bytes, true), "ERROR");
        log.configure("ERROR", null, "json");
        log.notice("peer-up", "node=node2 addr=127.0.0.2:4809 attempts=3 reason=\"said \"no\" twice\" " +
            "addresses=[/127.0.0.1:4809, /127.0.0.2:4809] free text");
        log.close();
        final String line = bytes.toString().trim();
        assertTrue(line.startsWith("{\"ts\":\""), line);
        assertTrue(line.endsWith("\"level\":\"NOTICE\",\"source\":\"node1\",\"event\":\"peer-up\"," +
            "\"node\":\"node2\",\"addr\":\"127.0.0.2:4809\",\"attempts\":3,\"reason\":\"said \\\"no\\\" twice\"," +
            "\"addresses\":\"[/127.0.0.1:4809, /127.0.0.2:4809]\",\"text\":\"free text\"}"), line);
        assertEquals(1, bytes.toString().lines().count());
    }

    @Test
    void theLogFileIsReopenedForLogrotate() throws Exception
    {
        final Path file = dir.resolve("msgcd.log");
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final EventLog log = new EventLog("node1", new PrintStream(stdout, true), "NOTICE");
        log.configure("NOTICE", file.toString(), "text");
        log.notice("before-rotate", "");
        assertTrue(log.flush(5000));
        Files.move(file, dir.resolve("msgcd.log.1"));
        log.reopen();
        log.notice("after-rotate", "");
        log.close();
        final String rotated = Files.readString(dir.resolve("msgcd.log.1"));
        final String current = Files.readString(file);
        assertTrue(rotated.contains("before-rotate") && !rotated.contains("after-rotate"), rotated);
        assertTrue(current.contains("NOTICE node1 log-reopened path=" + file) && current.contains("after-rotate"),
            current);
        assertEquals("", stdout.toString(), "with log_file set nothing goes to standard output");
    }

    @Test
    void anUnopenableLogFileKeepsThePreviousOutputAndSaysWhy() throws Exception
    {
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final EventLog log = new EventLog("node1", new PrintStream(stdout, true), "NOTICE");
        log.configure("NOTICE", dir.resolve("no/such/dir/x.log").toString(), "text");
        log.notice("still-here", "");
        log.close();
        assertTrue(stdout.toString().contains("ERROR node1 log-file-failed path=" + dir.resolve("no/such/dir/x.log")),
            stdout.toString());
        assertTrue(stdout.toString().contains("NOTICE node1 still-here"), stdout.toString());
    }

    @Test
    void theThresholdChangesLive()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final EventLog log = new EventLog("node1", new PrintStream(bytes, true), "ERROR");
        log.info("hidden", "");
        assertFalse(log.isEnabled(EventLog.Level.INFO));
        log.configure("INFO", null, "text");
        assertTrue(log.isEnabled(EventLog.Level.INFO));
        log.info("shown", "");
        log.close();
        assertFalse(bytes.toString().contains("hidden"));
        assertTrue(bytes.toString().contains("INFO node1 shown"), bytes.toString());
    }
}
