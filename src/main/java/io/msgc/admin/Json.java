package io.msgc.admin;

/**
 * The little JSON the tools write (log lines, /healthz, {@code msgc listen --json}): string escaping only.
 */
public final class Json
{
    private Json()
    {
    }

    /**
     * @param text any text.
     * @return the text escaped for the inside of a JSON string (quotes, backslash, control characters).
     */
    public static String escape(final String text)
    {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            final String replacement;
            switch (c)
            {
                case '"': replacement = "\\\""; break;
                case '\\': replacement = "\\\\"; break;
                case '\n': replacement = "\\n"; break;
                case '\r': replacement = "\\r"; break;
                case '\t': replacement = "\\t"; break;
                default: replacement = c < 0x20 ? String.format("\\u%04x", (int)c) : null; break;
            }
            if (replacement != null && out == null)
            {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null)
            {
                if (replacement != null)
                {
                    out.append(replacement);
                }
                else
                {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    /**
     * @param text any text.
     * @return a JSON string literal, quotes included.
     */
    public static String string(final String text)
    {
        return '"' + escape(text) + '"';
    }
}
