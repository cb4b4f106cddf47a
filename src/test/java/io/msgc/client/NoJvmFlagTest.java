package io.msgc.client;

import io.msgc.server.Cluster;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Embedding the client needs no JVM flag: a JVM started with nothing but a class path connects, sends and
 * receives. (Agrona 2 failed here with an IllegalAccessError unless the JVM got
 * {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED}.)
 */
class NoJvmFlagTest
{
    @Test
    void aJvmWithoutFlagsRunsTheClient() throws Exception
    {
        try (Cluster cluster = new Cluster(1).startAll())
        {
            final List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-cp", System.getProperty("java.class.path"),
                EmbeddedClientProbe.class.getName(),
                cluster.host(1), String.valueOf(cluster.port()));
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output;
            try (InputStream in = process.getInputStream())
            {
                if (!process.waitFor(60, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    throw new AssertionError("the probe JVM did not exit within 60 s");
                }
                output = read(in);
            }
            assertEquals(0, process.exitValue(), output);
            assertTrue(output.startsWith("probe ok #probe#node1"), output);
        }
    }

    private static String read(final InputStream in) throws IOException
    {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
