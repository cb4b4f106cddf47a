package io.msgc.conf;

import java.util.List;

/**
 * The right-hand side of {@code name = value}: a bare word, a quoted string, a list {@code ( ... )} or a map
 * {@code [ key = value ... ]}, with the token where it starts.
 */
final class ConfigValue
{
    /** Value kinds. */
    enum Kind
    {
        WORD, STRING, LIST, MAP
    }

    /** One {@code key = value} of a map; the key token keeps its position and original spelling. */
    record Entry(ConfigToken key, ConfigValue value)
    {
    }

    final Kind kind;
    final ConfigToken start;
    final List<ConfigValue> items;
    final List<Entry> entries;

    private ConfigValue(final Kind kind, final ConfigToken start, final List<ConfigValue> items,
        final List<Entry> entries)
    {
        this.kind = kind;
        this.start = start;
        this.items = items;
        this.entries = entries;
    }

    static ConfigValue scalar(final ConfigToken token)
    {
        return new ConfigValue(token.kind == ConfigToken.Kind.STRING ? Kind.STRING : Kind.WORD, token,
            List.of(), List.of());
    }

    static ConfigValue list(final ConfigToken open, final List<ConfigValue> items)
    {
        return new ConfigValue(Kind.LIST, open, List.copyOf(items), List.of());
    }

    static ConfigValue map(final ConfigToken open, final List<Entry> entries)
    {
        return new ConfigValue(Kind.MAP, open, List.of(), List.copyOf(entries));
    }

    /** @return true for a word or a string. */
    boolean isScalar()
    {
        return kind == Kind.WORD || kind == Kind.STRING;
    }

    /** @return the word or string content. */
    String text()
    {
        return start.text;
    }

    /**
     * @return the value as error messages show it: {@code 'word'}, {@code string "x"}, {@code a list},
     *         {@code a map}.
     */
    String describe()
    {
        return switch (kind)
        {
            case LIST -> "a list";
            case MAP -> "a map";
            default -> start.describe();
        };
    }
}
