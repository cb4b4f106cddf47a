package io.msgc.conf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A scope of the generic configuration tree: its lowercase name, optional instance argument, options in
 * first-set order and child scopes in first-opened order. Re-opening a scope (same name, same argument) returns
 * the existing node, so the contents merge.
 */
final class ConfigNode implements ConfigMember
{
    /** One {@code name = value}; the name token keeps its position and original spelling. */
    record Option(String name, ConfigToken nameToken, ConfigValue value) implements ConfigMember
    {
    }

    /** Scope identity for merging: lowercase name and instance argument (null when none). */
    private record ScopeKey(String name, String arg)
    {
    }

    final String name;
    final String arg;
    final ConfigToken nameToken;
    final ConfigToken argToken;
    private final Map<String, Option> options = new LinkedHashMap<>();
    private final List<ConfigNode> scopes = new ArrayList<>();
    private final Map<ScopeKey, ConfigNode> scopesByKey = new HashMap<>();
    private final List<ConfigMember> members = new ArrayList<>();

    ConfigNode(final ConfigToken nameToken, final ConfigToken argToken)
    {
        this.name = nameToken == null ? "" : nameToken.text.toLowerCase(Locale.ROOT);
        this.nameToken = nameToken;
        this.argToken = argToken;
        this.arg = argToken == null ? null : argToken.text;
    }

    /**
     * Add an option.
     *
     * @return the option already set under that name (the new one is then not added), or null.
     */
    Option addOption(final ConfigToken nameToken, final ConfigValue value)
    {
        final String key = nameToken.text.toLowerCase(Locale.ROOT);
        final Option previous = options.get(key);
        if (previous == null)
        {
            final Option option = new Option(key, nameToken, value);
            options.put(key, option);
            members.add(option);
        }
        return previous;
    }

    /**
     * @return the child scope with this name and argument, created at the end when new.
     */
    ConfigNode openScope(final ConfigToken nameToken, final ConfigToken argToken)
    {
        // a map, not a scan: a file of many sibling scopes must not take quadratic time
        final ScopeKey key = new ScopeKey(nameToken.text.toLowerCase(Locale.ROOT),
            argToken == null ? null : argToken.text);
        final ConfigNode existing = scopesByKey.get(key);
        if (existing != null)
        {
            return existing;
        }
        final ConfigNode scope = new ConfigNode(nameToken, argToken);
        scopesByKey.put(key, scope);
        scopes.add(scope);
        members.add(scope);
        return scope;
    }

    /** @return the options in first-set order. */
    List<Option> options()
    {
        return List.copyOf(options.values());
    }

    /** @return options and child scopes together, in order of first appearance. */
    List<ConfigMember> members()
    {
        return List.copyOf(members);
    }

    /** @return the child scopes in first-opened order. */
    List<ConfigNode> scopes()
    {
        return List.copyOf(scopes);
    }
}
