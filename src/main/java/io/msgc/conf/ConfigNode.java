package io.msgc.conf;

import java.util.ArrayList;
import java.util.HashMap;
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
    /** Options and scopes in order of first appearance; null while empty (most scopes are small or empty). */
    private List<ConfigMember> members;
    /** Options by lowercase name and scopes by {@link ScopeKey}, for merging without a scan; null while empty. */
    private Map<Object, ConfigMember> index;

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
        final ConfigMember previous = index == null ? null : index.get(key);
        if (previous != null)
        {
            return (Option)previous;
        }
        add(key, new Option(key, nameToken, value));
        return null;
    }

    /**
     * @return the child scope with this name and argument, created at the end when new.
     */
    ConfigNode openScope(final ConfigToken nameToken, final ConfigToken argToken)
    {
        // a map, not a scan: a file of many sibling scopes must not take quadratic time
        final ScopeKey key = new ScopeKey(nameToken.text.toLowerCase(Locale.ROOT),
            argToken == null ? null : argToken.text);
        final ConfigMember existing = index == null ? null : index.get(key);
        if (existing != null)
        {
            return (ConfigNode)existing;
        }
        final ConfigNode scope = new ConfigNode(nameToken, argToken);
        add(key, scope);
        return scope;
    }

    private void add(final Object key, final ConfigMember member)
    {
        if (members == null)
        {
            members = new ArrayList<>(4);
            index = new HashMap<>(8);
        }
        members.add(member);
        index.put(key, member);
    }

    /** @return the options in first-set order. */
    List<Option> options()
    {
        final List<Option> options = new ArrayList<>();
        for (final ConfigMember member : members())
        {
            if (member instanceof Option option)
            {
                options.add(option);
            }
        }
        return options;
    }

    /** @return options and child scopes together, in order of first appearance. */
    List<ConfigMember> members()
    {
        return members == null ? List.of() : List.copyOf(members);
    }

    /** @return the child scopes in first-opened order. */
    List<ConfigNode> scopes()
    {
        final List<ConfigNode> scopes = new ArrayList<>();
        for (final ConfigMember member : members())
        {
            if (member instanceof ConfigNode scope)
            {
                scopes.add(scope);
            }
        }
        return scopes;
    }
}
