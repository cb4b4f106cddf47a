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

    /** Longest token text shown in a message; a longer one is cut, so one huge token cannot flood the output. */
    static final int MAX_SHOWN = 80;

    /**
     * @return the token as error messages show it: {@code 'word'}, {@code string "text"}, {@code '='},
     *         {@code end of file}; control characters escaped, long text cut.
     */
    String describe()
    {
        switch (kind)
        {
            case WORD:
                return "'" + shown(text) + "'";
            case STRING:
                return "string \"" + shown(text) + "\"";
            case EOF:
                return "end of file";
            default:
                return "'" + text + "'";
        }
    }

    /**
     * @param text token text.
     * @return the text with control characters as {@code \n}, {@code \t} or {@code \xNN}, cut after
     *         {@link #MAX_SHOWN} characters with {@code ...} and the full length.
     */
    static String shown(final String text)
    {
        final StringBuilder sb = new StringBuilder();
        final int end = Math.min(text.length(), MAX_SHOWN);
        for (int i = 0; i < end; i++)
        {
            final char c = text.charAt(i);
            if (c == '\n')
            {
                sb.append("\\n");
            }
            else if (c == '\t')
            {
                sb.append("\\t");
            }
            else if (c < 0x20 || c == 0x7F)
            {
                sb.append(String.format("\\x%02X", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        if (end < text.length())
        {
            sb.append("...(").append(text.length()).append(" characters)");
        }
        return sb.toString();
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
