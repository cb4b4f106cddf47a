package io.msgc.conf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The {@code msgcserver_listener} scope: where the server listens and who may connect. Without {@code Listen}
 * scopes a node listens on its own peers entry's address.
 * <p>
 * Access rule: the rules that apply to a connection are the listener-level {@code Peer} rules plus, when it was
 * accepted on a {@code Listen} scope, that scope's own {@code Peer} rules. With none at all, everyone may
 * connect. Otherwise the matching rule with the longest prefix decides; between a Listen rule and a listener
 * rule of the same prefix length, the Listen rule wins; an address no rule matches is refused.
 */
public final class ListenerConfig
{
    private final List<ListenConfig> listens;
    private final List<AclRule> acl;
    private final boolean enabled;
    private final String debugLevel;

    ListenerConfig(final List<ListenConfig> listens, final List<AclRule> acl, final boolean enabled,
        final String debugLevel)
    {
        this.listens = List.copyOf(listens);
        this.acl = List.copyOf(acl);
        this.enabled = enabled;
        this.debugLevel = debugLevel;
    }

    /**
     * @return the {@code Listen} scopes in file order; empty when none were given.
     */
    public List<ListenConfig> listens()
    {
        return listens;
    }

    /**
     * @return the listener-level {@code Peer} rules in file order (not those inside {@code Listen} scopes).
     */
    public List<AclRule> acl()
    {
        return acl;
    }

    /** @return {@code enabled}, the common module option (default true). */
    public boolean enabled()
    {
        return enabled;
    }

    /** @return {@code debug_level}, the common module option, upper case (default ERROR). */
    public String debugLevel()
    {
        return debugLevel;
    }

    /**
     * Decide with the listener-level rules only: for a node that binds its own peers entry (no {@code Listen}
     * scopes), or a connection accepted on no {@code Listen} scope.
     *
     * @param remote the remote address.
     * @return true to accept the connection.
     */
    public boolean allows(final InetAddress remote)
    {
        return decide(List.of(), acl, remote);
    }

    /**
     * Decide for a connection accepted on {@code local}: the rules of the {@code Listen} scope that accepted it
     * (see {@link #listenFor}) plus the listener-level rules; with no {@code Listen} scopes, the listener-level
     * rules only.
     *
     * @param remote the remote address.
     * @param local  the local address of the accepted connection (the accepted socket's local address).
     * @return true to accept the connection.
     */
    public boolean allows(final InetAddress remote, final InetSocketAddress local)
    {
        final ListenConfig listen = listenFor(local);
        return decide(listen == null ? List.of() : listen.acl(), acl, remote);
    }

    /**
     * The {@code Listen} scope a connection with this local address was accepted on, chosen as the kernel
     * chooses the listening socket: the scope bound to exactly that address and port, else the wildcard scope
     * ({@code *:port}) of that port. A scope given by host name matches the address the name resolved to when
     * it was bound ({@link ListenConfig#address()}); no DNS lookup happens here.
     *
     * @param local the local address of an accepted connection.
     * @return the scope, or null when there are no Listen scopes or none matches.
     */
    public ListenConfig listenFor(final InetSocketAddress local)
    {
        if (local == null)
        {
            return null;
        }
        ListenConfig wildcard = null;
        for (final ListenConfig listen : listens)
        {
            if (listen.boundTo(local))
            {
                return listen;
            }
            if (wildcard == null && listen.anyInterface() && listen.port() == local.getPort())
            {
                wildcard = listen;
            }
        }
        return wildcard;
    }

    private static boolean decide(final List<AclRule> listenRules, final List<AclRule> listenerRules,
        final InetAddress remote)
    {
        if (listenRules.isEmpty() && listenerRules.isEmpty())
        {
            return true;
        }
        AclRule best = null;
        for (final AclRule rule : listenRules)
        {
            if (rule.matches(remote) && (best == null || rule.prefixLength() > best.prefixLength()))
            {
                best = rule;
            }
        }
        // strictly longer only: at equal prefix length the Listen rule found first stays
        for (final AclRule rule : listenerRules)
        {
            if (rule.matches(remote) && (best == null || rule.prefixLength() > best.prefixLength()))
            {
                best = rule;
            }
        }
        return best != null && best.allow();
    }
}
