package io.msgc.conf;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when a configuration cannot be loaded; carries every error found, not just the first.
 */
public final class ConfigException extends Exception
{
    /** The errors, in the order found. */
    private final List<ConfigError> errors;

    /**
     * @param errors the errors found, at least one; the message is their {@code toString()} joined by newlines.
     */
    public ConfigException(final List<ConfigError> errors)
    {
        super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    /**
     * @return the errors in the order they were found.
     */
    public List<ConfigError> errors()
    {
        return errors;
    }
}
