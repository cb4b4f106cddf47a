package io.msgc.conf;

/**
 * Splits one file's text into {@link ConfigToken}s on demand, skipping whitespace and {@code #} / block
 * comments. Throws {@link ConfigSyntaxException} on a malformed string or comment.
 */
final class ConfigLexer
{
    private final String file;
    private final String text;
    private int pos;
    private int line = 1;
    private int column = 1;
    private ConfigToken peeked;

    ConfigLexer(final String file, final String text)
    {
        this.file = file;
        // a UTF-8 byte order mark is not part of the first token
        this.text = text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /**
     * @return the next token without consuming it.
     */
    ConfigToken peek()
    {
        if (peeked == null)
        {
            peeked = scan();
        }
        return peeked;
    }

    /**
     * @return the next token, consumed.
     */
    ConfigToken next()
    {
        final ConfigToken token = peek();
        if (token.kind != ConfigToken.Kind.EOF)
        {
            peeked = null;
        }
        return token;
    }

    private ConfigToken scan()
    {
        skipBlanksAndComments();
        final int startLine = line;
        final int startColumn = column;
        if (pos >= text.length())
        {
            return new ConfigToken(ConfigToken.Kind.EOF, "", file, startLine, startColumn);
        }
        final char c = text.charAt(pos);
        final ConfigToken.Kind punct = punctuation(c);
        if (punct != null)
        {
            advance();
            return new ConfigToken(punct, String.valueOf(c), file, startLine, startColumn);
        }
        if (c == '"')
        {
            return string(startLine, startColumn);
        }
        final int start = pos;
        while (pos < text.length() && isWordChar(text.charAt(pos)))
        {
            advance();
        }
        return new ConfigToken(ConfigToken.Kind.WORD, text.substring(start, pos), file, startLine, startColumn);
    }

    private ConfigToken string(final int startLine, final int startColumn)
    {
        advance();
        final StringBuilder sb = new StringBuilder();
        while (true)
        {
            if (pos >= text.length() || text.charAt(pos) == '\n' || text.charAt(pos) == '\r')
            {
                // reported at the opening quote: that is where the user has to look
                throw new ConfigSyntaxException(new ConfigError(file, startLine, startColumn,
                    "unterminated string: missing closing '\"' before end of line"));
            }
            final char c = text.charAt(pos);
            if (c == '"')
            {
                advance();
                return new ConfigToken(ConfigToken.Kind.STRING, sb.toString(), file, startLine, startColumn);
            }
            if (c == '\\')
            {
                final int escLine = line;
                final int escColumn = column;
                advance();
                final char e = pos < text.length() ? text.charAt(pos) : ' ';
                switch (e)
                {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    default -> throw new ConfigSyntaxException(new ConfigError(file, escLine, escColumn,
                        "invalid escape '\\" + (Character.isWhitespace(e) ? "" : String.valueOf(e)) +
                        "' in string; valid escapes: \\\" \\\\ \\n \\t"));
                }
                advance();
                continue;
            }
            sb.append(c);
            advance();
        }
    }

    private void skipBlanksAndComments()
    {
        while (pos < text.length())
        {
            final char c = text.charAt(pos);
            if (Character.isWhitespace(c))
            {
                advance();
            }
            else if (c == '#')
            {
                while (pos < text.length() && text.charAt(pos) != '\n')
                {
                    advance();
                }
            }
            else if (c == '/' && pos + 1 < text.length() && text.charAt(pos + 1) == '*')
            {
                final int startLine = line;
                final int startColumn = column;
                advance();
                advance();
                while (!(pos + 1 < text.length() && text.charAt(pos) == '*' && text.charAt(pos + 1) == '/'))
                {
                    if (pos >= text.length())
                    {
                        throw new ConfigSyntaxException(new ConfigError(file, startLine, startColumn,
                            "unterminated block comment: missing '*/' before end of file"));
                    }
                    advance();
                }
                advance();
                advance();
            }
            else
            {
                return;
            }
        }
    }

    private void advance()
    {
        if (text.charAt(pos) == '\n')
        {
            line++;
            column = 1;
        }
        else
        {
            column++;
        }
        pos++;
    }

    private static ConfigToken.Kind punctuation(final char c)
    {
        return switch (c)
        {
            case '=' -> ConfigToken.Kind.EQUALS;
            case '{' -> ConfigToken.Kind.LBRACE;
            case '}' -> ConfigToken.Kind.RBRACE;
            case '[' -> ConfigToken.Kind.LBRACKET;
            case ']' -> ConfigToken.Kind.RBRACKET;
            case '(' -> ConfigToken.Kind.LPAREN;
            case ')' -> ConfigToken.Kind.RPAREN;
            case ',' -> ConfigToken.Kind.COMMA;
            default -> null;
        };
    }

    private static boolean isWordChar(final char c)
    {
        return !Character.isWhitespace(c) && c != '"' && c != '#' && punctuation(c) == null;
    }
}
