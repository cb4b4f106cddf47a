package io.msgc.conf;

import java.net.InetAddress;
import java.util.List;

/**
 * The {@code msgcserver_listener} scope: where the server listens and who may connect. Without {@code Listen}
 * scopes a node listens on its own peers entry's address.
 */
public final class ListenerConfig
{
    private final List<ListenConfig> listens;
    private final List<AclRule> acl;

    ListenerConfig(final List<ListenConfig> listens, final List<AclRule> acl)
    {
        this.listens = List.copyOf(listens);
        this.acl = List.copyOf(acl);
    }

    /**
     * @return the {@code Listen} scopes in file order; empty when none were given.
     */
    public List<ListenConfig> listens()
    {
        return listens;
    }

    /**
     * @return the {@code Peer} rules in file order; empty means everyone is allowed.
     */
    public List<AclRule> acl()
    {
        return acl;
    }

    /**
     * Decide whether a remote address may connect: with no rules, everyone may; otherwise the matching rule
     * with the longest prefix decides, and an address no rule matches is refused.
     *
     * @param remote the remote address.
     * @return true to accept the connection.
     */
    public boolean allows(final InetAddress remote)
    {
        if (acl.isEmpty())
        {
            return true;
        }
        AclRule best = null;
        for (final AclRule rule : acl)
        {
            if (rule.matches(remote) && (best == null || rule.prefixLength() > best.prefixLength()))
            {
                best = rule;
            }
        }
        return best != null && best.allow();
    }
}
