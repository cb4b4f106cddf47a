package io.msgc.conf;

/**
 * Internal: unwinds the parser of one file at the first syntax error (the rest of that file is not trusted).
 */
final class ConfigSyntaxException extends RuntimeException
{
    final ConfigError error;

    ConfigSyntaxException(final ConfigError error)
    {
        super(error.toString(), null, false, false);
        this.error = error;
    }
}
