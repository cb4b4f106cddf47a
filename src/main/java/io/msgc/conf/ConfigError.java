package io.msgc.conf;

/**
 * One problem found in a configuration file, located by file, 1-based line and 1-based column of the
 * offending token (tabs count as one column).
 *
 * @param file    the file as named by the caller or, for an included file, resolved from the including file.
 * @param line    1-based line.
 * @param column  1-based column.
 * @param message what was expected and what was found.
 */
public record ConfigError(String file, int line, int column, String message)
{
    /**
     * @return {@code file:line:column: message}, the form editors and compilers use.
     */
    @Override
    public String toString()
    {
        return file + ":" + line + ":" + column + ": " + message;
    }
}
