package io.msgc.admin;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The build's version: the jar manifest's {@code Implementation-Version}, else {@code io/msgc/version.properties}
 * (filled in by Maven, so classes run from {@code target/classes} know it too), else {@code "unknown"}.
 */
public final class Version
{
    /** This build's version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static final String VERSION = find();

    private Version()
    {
    }

    private static String find()
    {
        final String fromManifest = Version.class.getPackage().getImplementationVersion();
        if (fromManifest != null && !fromManifest.isEmpty())
        {
            return fromManifest;
        }
        try (InputStream in = Version.class.getResourceAsStream("/io/msgc/version.properties"))
        {
            if (in != null)
            {
                final Properties properties = new Properties();
                properties.load(in);
                final String version = properties.getProperty("version", "");
                if (!version.isEmpty() && !version.startsWith("${"))
                {
                    return version;
                }
            }
        }
        catch (final IOException ignore)
        {
            // fall through
        }
        return "unknown";
    }

    /**
     * @param tool the tool's name, e.g. {@code msgcd}.
     * @return the line {@code --version} prints, e.g. {@code msgcd 0.1.0-SNAPSHOT (Java 17.0.15)}.
     */
    public static String line(final String tool)
    {
        return tool + " " + VERSION + " (Java " + System.getProperty("java.version") + ")";
    }

    /**
     * Prints {@link #line} for the tool named by the first argument: {@code java -cp ... io.msgc.admin.Version
     * msgc-bench}, used by launchers of tools whose main class is elsewhere.
     *
     * @param args the tool name, optional.
     */
    public static void main(final String[] args)
    {
        System.out.println(line(args.length > 0 ? args[0] : "msgc"));
    }
}
