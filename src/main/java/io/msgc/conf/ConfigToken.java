package io.msgc.conf;

/**
 * One token of a configuration file, with where it starts.
 */
final class ConfigToken
{
    /** Token kinds. */
    enum Kind
    {
        /** A bare word: names, numbers, booleans, unquoted values. */
        WORD,
        /** A double-quoted string; text is the unescaped content. */
        STRING,
        EQUALS,
        LBRACE,
        RBRACE,
        LBRACKET,
        RBRACKET,
        LPAREN,
        RPAREN,
        COMMA,
        EOF
    }

    final Kind kind;
    final String text;
    final String file;
    final int line;
    final int column;

    ConfigToken(final Kind kind, final String text, final String file, final int line, final int column)
    {
        this.kind = kind;
        this.text = text;
        this.file = file;
        this.line = line;
        this.column = column;
    }

    /**
     * @return the token as error messages show it: {@code 'word'}, {@code string "text"}, {@code '='},
     *         {@code end of file}.
     */
    String describe()
    {
        switch (kind)
        {
            case WORD:
                return "'" + text + "'";
            case STRING:
                return "string \"" + text + "\"";
            case EOF:
                return "end of file";
            default:
                return "'" + text + "'";
        }
    }

    /**
     * @param message what is wrong at this token.
     * @return the error located at this token.
     */
    ConfigError error(final String message)
    {
        return new ConfigError(file, line, column, message);
    }

    /**
     * @return {@code file:line:column}, for "first set at" notes.
     */
    String where()
    {
        return file + ":" + line + ":" + column;
    }
}
