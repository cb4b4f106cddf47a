package io.msgc.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs {@code msgc} in this JVM with captured streams: its exit code, standard output and standard error.
 *
 * @param exit the exit code {@code msgc} would have.
 * @param out  what it printed on standard output.
 * @param err  what it printed on standard error.
 */
record Console(int exit, String out, String err)
{
    static Console run(final String... args)
    {
        return runWithInput("", args);
    }

    static Console runWithInput(final String stdin, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = MsgcConsole.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Console(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@inheritDoc} */
    public String toString()
    {
        return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
