package io.msgc.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tools/build-if-needed on a fresh clone (issue 9 #15): tools started together build once, under a lock, and a
 * failed build makes every tool fail loudly. Runs the real scripts in a copy of the tools/ directory, with a fake
 * {@code mvn} on the PATH that records its runs and takes a second.
 */
class ToolsScriptTest
{
    @TempDir
    Path root;

    private Path mvnLog;

    @BeforeEach
    void setUp() throws Exception
    {
        Files.createDirectories(root.resolve("tools"));
        for (final String tool : new String[]{"build-if-needed", "msgcd", "msgc"})
        {
            executable(root.resolve("tools/" + tool), Files.readString(Path.of("tools", tool)));
        }
        Files.writeString(root.resolve("pom.xml"), "<project>\n  <artifactId>msgc</artifactId>\n" +
            "  <version>9.9</version>\n</project>\n");
        Files.createDirectories(root.resolve("src/main"));
        Files.writeString(root.resolve("src/main/Source.java"), "class Source {}\n");
        executable(root.resolve("src/dist/bin/msgcd"), "#!/usr/bin/env bash\necho \"launched $MSGC_CLASSPATH $*\"\n");
        mvnLog = root.resolve("mvn.log");
        executable(root.resolve("fakebin/mvn"), "#!/usr/bin/env bash\n" +
            "echo \"mvn $*\" >> \"" + mvnLog + "\"\n" +
            "sleep 1\n" +
            "if [ -n \"${FAKE_MVN_FAIL:-}\" ]; then echo '[ERROR] COMPILATION ERROR (fake)' >&2; exit 1; fi\n" +
            "mkdir -p target/lib && echo jar > target/msgc-9.9.jar\n");
    }

    private static void executable(final Path file, final String text) throws IOException
    {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Process start(final String tool, final boolean failBuild, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(root.resolve("tools/" + tool).toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("PATH", root.resolve("fakebin") + ":" + System.getenv("PATH"));
        if (failBuild)
        {
            builder.environment().put("FAKE_MVN_FAIL", "1");
        }
        return builder.start();
    }

    private static String read(final java.io.InputStream in) throws IOException
    {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private int mvnRuns() throws IOException
    {
        return Files.exists(mvnLog) ? (int)Files.readAllLines(mvnLog).size() : 0;
    }

    @Test
    void toolsStartedTogetherOnAFreshCloneBuildOnce() throws Exception
    {
        final List<Process> tools = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            tools.add(start("build-if-needed", false));
        }
        for (final Process tool : tools)
        {
            assertTrue(tool.waitFor(30, TimeUnit.SECONDS));
            final String err = read(tool.getErrorStream());
            assertEquals(0, tool.exitValue(), err);
            assertEquals(root + "/target/msgc-9.9.jar:" + root + "/target/lib/*\n", read(tool.getInputStream()));
        }
        assertEquals(1, mvnRuns(), Files.readString(mvnLog));

        // up to date: no build; a source newer than the jar: one more
        final Process fresh = start("build-if-needed", false);
        assertEquals(0, fresh.waitFor());
        assertEquals(1, mvnRuns());
        Files.setLastModifiedTime(root.resolve("src/main/Source.java"),
            FileTime.fromMillis(Files.getLastModifiedTime(root.resolve("target/msgc-9.9.jar")).toMillis() + 10_000));
        final Process stale = start("msgcd", false, "--version");
        assertEquals(0, stale.waitFor());
        assertEquals("launched " + root + "/target/msgc-9.9.jar:" + root + "/target/lib/* --version\n",
            read(stale.getInputStream()));
        assertEquals(2, mvnRuns());
    }

    @Test
    void aFailedBuildMakesTheToolsFailLoudly() throws Exception
    {
        final List<Process> tools = new ArrayList<>();
        for (int i = 0; i < 2; i++)
        {
            tools.add(start("msgcd", true, "-c", "x.conf"));
        }
        for (final Process tool : tools)
        {
            assertTrue(tool.waitFor(30, TimeUnit.SECONDS));
            final String out = read(tool.getInputStream());
            final String err = read(tool.getErrorStream());
            assertEquals(1, tool.exitValue(), err);
            assertFalse(out.contains("launched"), "the daemon must not start without its jar: " + out);
            assertTrue(err.contains("msgc: BUILD FAILED: 'mvn -DskipTests package' in " + root + " failed"), err);
        }
        assertFalse(Files.exists(root.resolve("target/msgc-9.9.jar")));
    }
}
