package io.msgc.admin;

import io.msgc.conf.MsgcConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a configuration reload did: the options applied live, the changed options that need a restart, or the
 * errors that made it change nothing. Also the option-by-option comparison of two configurations it is built from.
 */
public final class ReloadResult
{
    /**
     * One changed option.
     *
     * @param option {@code scope.option}, e.g. {@code msgc_server.debug_level}.
     * @param before the running value.
     * @param after  the value in the new file.
     */
    public record Change(String option, String before, String after)
    {
        /** {@inheritDoc} */
        public String toString()
        {
            return option + " (" + before + " -> " + after + ")";
        }
    }

    private final String source;
    private final List<String> errors;
    private final List<Change> applied;
    private final List<Change> needsRestart;

    private ReloadResult(
        final String source, final List<String> errors, final List<Change> applied, final List<Change> needsRestart)
    {
        this.source = source;
        this.errors = List.copyOf(errors);
        this.applied = List.copyOf(applied);
        this.needsRestart = List.copyOf(needsRestart);
    }

    /**
     * @param source the file (or "(in-process config)").
     * @param errors why nothing changed, each naming its place (file:line:col) when it has one.
     * @return a failed reload.
     */
    public static ReloadResult failed(final String source, final List<String> errors)
    {
        return new ReloadResult(source, errors, List.of(), List.of());
    }

    /**
     * @param source       the file.
     * @param applied      options now in effect.
     * @param needsRestart changed options the running node cannot take live.
     * @return a successful reload.
     */
    public static ReloadResult done(final String source, final List<Change> applied, final List<Change> needsRestart)
    {
        return new ReloadResult(source, List.of(), applied, needsRestart);
    }

    /**
     * @return true when the new configuration was accepted (even if some options need a restart).
     */
    public boolean ok()
    {
        return errors.isEmpty();
    }

    /**
     * @return why nothing changed; empty when {@link #ok()}.
     */
    public List<String> errors()
    {
        return errors;
    }

    /**
     * @return options applied live.
     */
    public List<Change> applied()
    {
        return applied;
    }

    /**
     * @return changed options that take effect only after a restart.
     */
    public List<Change> needsRestart()
    {
        return needsRestart;
    }

    /**
     * @return the answer of the admin {@code reload} command: starts with {@code error:} when it failed.
     */
    public String text()
    {
        final StringBuilder out = new StringBuilder();
        if (!ok())
        {
            out.append("error: reload of ").append(source).append(" failed with ").append(errors.size())
                .append(" error(s); nothing changed, the node keeps running on its previous configuration\n");
            for (final String error : errors)
            {
                out.append(error).append('\n');
            }
            return out.toString();
        }
        out.append("reloaded ").append(source).append(": ").append(applied.size()).append(" applied, ")
            .append(needsRestart.size()).append(" need a restart\n");
        for (final Change change : applied)
        {
            out.append("applied ").append(change).append('\n');
        }
        for (final Change change : needsRestart)
        {
            out.append("needs restart ").append(change).append('\n');
        }
        return out.toString();
    }

    /**
     * @param config a configuration.
     * @return its server-side options ({@code msgc_server.*}, {@code msgcserver_listener.*}) and their effective
     *         values, from {@link MsgcConfig#describe()}, so that every option is compared, new ones included.
     */
    public static Map<String, String> serverOptions(final MsgcConfig config)
    {
        final Map<String, String> options = new LinkedHashMap<>();
        for (final String line : config.describe().split("\n"))
        {
            final int eq = line.indexOf(" = ");
            if (eq < 0 || !(line.startsWith("msgc_server.") || line.startsWith("msgcserver_listener.")))
            {
                continue;
            }
            // a key listed several times (Listen, Peer) compares as the whole list
            options.merge(line.substring(0, eq), line.substring(eq + 3), (a, b) -> a + ", " + b);
        }
        return options;
    }

    /**
     * @param before running options.
     * @param after  new options.
     * @return every option whose value differs, in {@code after}'s order, then options only in {@code before}.
     */
    public static List<Change> diff(final Map<String, String> before, final Map<String, String> after)
    {
        final List<Change> changes = new ArrayList<>();
        for (final Map.Entry<String, String> entry : after.entrySet())
        {
            final String old = before.getOrDefault(entry.getKey(), "(unset)");
            if (!old.equals(entry.getValue()))
            {
                changes.add(new Change(entry.getKey(), old, entry.getValue()));
            }
        }
        for (final Map.Entry<String, String> entry : before.entrySet())
        {
            if (!after.containsKey(entry.getKey()))
            {
                changes.add(new Change(entry.getKey(), entry.getValue(), "(unset)"));
            }
        }
        return changes;
    }
}
