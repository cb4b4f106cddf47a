package io.msgc.server;

import io.msgc.admin.NodeCounters;
import io.msgc.conf.PeerConfig;
import io.msgc.conf.ServerConfig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Text answers to the admin console's requests: {@code peers}, {@code groups}, {@code stats}.
 * Runs on the server thread; not on the data path.
 */
final class AdminReport
{
    private final ServerConfig config;
    private final PeerConfig self;
    private final PeerMesh mesh;
    private final Membership membership;
    private final GroupTable table;
    private final NameTable<ClientSession> sessions;
    private final NodeCounters counters;

    AdminReport(
        final ServerConfig config,
        final PeerConfig self,
        final PeerMesh mesh,
        final Membership membership,
        final GroupTable table,
        final NameTable<ClientSession> sessions,
        final NodeCounters counters)
    {
        this.config = config;
        this.self = self;
        this.mesh = mesh;
        this.membership = membership;
        this.table = table;
        this.sessions = sessions;
        this.counters = counters;
    }

    /**
     * The commands that only read: a console authenticated for reading may run these and no other. Anything else
     * (reload, and every command added later unless it is listed here) changes state and needs the admin secret.
     */
    static final String READ_ONLY_COMMANDS = "peers, groups, stats";

    /**
     * @param command an admin command.
     * @return true when it only reads.
     */
    static boolean isReadOnly(final String command)
    {
        switch (command)
        {
            case "peers", "groups", "stats": return true;
            default: return false;
        }
    }

    String answer(final String command, final long nowMs)
    {
        switch (command)
        {
            case "peers": return peers(nowMs);
            case "groups": return groups();
            case "stats": return counters.describe() + "stream-bytes " + membership.logBytes() + "\n" +
                "views-sent " + table.viewsSent() + "\n";
            default: return "error: unknown command '" + command + "'; valid: peers, groups, stats, reload\n";
        }
    }

    private String peers(final long nowMs)
    {
        final StringBuilder out = new StringBuilder();
        out.append("node ").append(self.name()).append(" view ").append(membership.viewId())
            .append(" sequencer ").append(membership.sequencerName()).append('\n');
        out.append(String.format("%-12s %-10s %-22s %10s %14s %12s %12s  %s%n",
            "PEER", "STATE", "ADDRESS", "AGE_S", "IN_VIEW", "BYTES_IN", "BYTES_OUT", "REASON"));
        for (final PeerConfig peer : mesh.peers().peers())
        {
            final String address = peer.host() + ":" + peer.port();
            if (peer.index() == self.index())
            {
                out.append(String.format("%-12s %-10s %-22s %10s %14s %12s %12s  %s%n",
                    peer.name(), "self", address, "-", "-", "-", "-", ""));
                continue;
            }
            final PeerLink link = mesh.link(peer.index());
            final String state = link.state.name().toLowerCase();
            final String age = link.isUp() ? String.format("%.1f", (nowMs - link.upSinceMs) / 1000.0) : "-";
            final String heartbeat = (membership.members() & (1L << peer.index())) != 0 ? "yes" : "no";
            out.append(String.format("%-12s %-10s %-22s %10s %14s %12d %12d  %s%n",
                peer.name(), state, address, age, heartbeat, link.bytesIn(), link.bytesOut(),
                link.reason == null ? "" : link.reason));
        }
        return out.toString();
    }

    private String groups()
    {
        final List<Group> all = new ArrayList<>();
        table.groups().forEach(g ->
        {
            if (!g.members.isEmpty())
            {
                all.add(g);
            }
        });
        all.sort(Comparator.comparing(Group::name));
        final StringBuilder out = new StringBuilder();
        out.append("node ").append(self.name()).append(" groups ").append(all.size()).append('\n');
        for (final Group group : all)
        {
            out.append(group.name()).append(' ').append(group.members.size()).append(" [");
            String separator = "";
            for (final Group.Member m : group.members)
            {
                out.append(separator).append(m.memberId);
                separator = " ";
            }
            out.append("]\n");
        }
        return out.toString();
    }
}
