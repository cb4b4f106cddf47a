package io.msgc.server;

import io.msgc.admin.CounterKind;
import io.msgc.admin.CountersFile;
import io.msgc.admin.EventLog;
import io.msgc.admin.NodeCounters;
import io.msgc.admin.ReloadResult;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.PeerConfig;
import io.msgc.conf.ServerConfig;
import io.msgc.io.Connection;
import io.msgc.wire.AdminFrame;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.FrameType;
import io.msgc.wire.ReasonFrame;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The operator's side of a node, run by the {@link ServerAgent} on its thread: counters kept at peer events and
 * sampled on a timer (link state, bytes, last heartbeat), the counters-file heartbeat, the longest loop turn, admin
 * answers split into frames, and the one place that decides what a configuration reload changes live.
 * Kept out of the agent so the data path stays easy to read.
 */
final class NodeOperations
{
    /** Largest admin answer; a larger one is refused with an ERROR, never dropped. */
    static final int ADMIN_ANSWER_LIMIT = 64 * 1024 * 1024;

    private final ServerConfig config;
    private final PeerConfig self;
    private final EventLog log;
    private final NodeCounters counters;
    private final NodeCounters.PeerCounters[] peerCounters;
    private final CountersFile countersFile;
    private final PeerMesh mesh;
    /** The configuration whose peers list runs: the start one, or the last reload's. */
    private ServerConfig peers;
    private final Map<String, String> runningOptions;
    private final EpochClock epochClock = SystemEpochClock.INSTANCE;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[2048]);
    private long maxTurnNs;

    NodeOperations(
        final ServerConfig config,
        final PeerConfig self,
        final EventLog log,
        final NodeCounters counters,
        final CountersFile countersFile,
        final MsgcConfig running,
        final PeerMesh mesh,
        final NodeView nodeView)
    {
        this.config = config;
        this.self = self;
        this.log = log;
        this.counters = counters;
        this.countersFile = countersFile;
        this.mesh = mesh;
        this.peers = config;
        this.runningOptions = ReloadResult.serverOptions(running);
        peerCounters = new NodeCounters.PeerCounters[NodeNames.MAX];
        countPeers(config);
        counters.nodeViewId.setOrdered(nodeView.viewId());
    }

    private void countPeers(final ServerConfig server)
    {
        for (final PeerConfig peer : server.peers())
        {
            if (peer.index() != self.index() && peerCounters[peer.index()] == null)
            {
                peerCounters[peer.index()] = counters.newPeer(peer.name());
            }
        }
    }

    /**
     * @param turnNs how long a loop turn worked.
     */
    void onTurn(final long turnNs)
    {
        if (turnNs > maxTurnNs)
        {
            maxTurnNs = turnNs;
            counters.loopMaxTurnNs.setOrdered(turnNs);
        }
    }

    /**
     * A peer link came up or went down: count it.
     *
     * @param link the peer.
     * @param up   true when it came up.
     */
    void onPeerChange(final PeerLink link, final boolean up)
    {
        (up ? counters.peerUps : counters.peerDowns).incrementOrdered();
        final NodeCounters.PeerCounters peer = peer(link.index());
        if (peer != null)
        {
            (up ? peer.ups() : peer.downs()).incrementOrdered();
            peer.state().setOrdered(stateCode(link.state));
        }
        int upCount = 0;
        for (final PeerLink each : mesh.links())
        {
            upCount += each != null && each.isUp() ? 1 : 0;
        }
        counters.peersUp.setOrdered(upCount);
    }

    /**
     * The node installed a new node view.
     *
     * @param viewId its id.
     */
    void onViewChange(final long viewId)
    {
        counters.nodeViewChanges.incrementOrdered();
        counters.nodeViewId.setOrdered(viewId);
    }

    /**
     * Heartbeat into the counters file and sample what is cheaper to sample than to count.
     *
     * @param nowMs the loop's clock (the poller's), in which {@link PeerLink#lastFrameMs} is kept.
     */
    void onStatsTick(final long nowMs)
    {
        final long nowEpochMs = epochClock.time();
        if (countersFile != null)
        {
            countersFile.heartbeat(nowEpochMs);
        }
        final PeerLink[] links = mesh.links();
        for (int i = 0; i < links.length; i++)
        {
            final PeerLink link = links[i];
            final NodeCounters.PeerCounters peer = peer(i);
            if (link == null || peer == null)
            {
                continue;
            }
            peer.state().setOrdered(stateCode(link.state));
            peer.bytesIn().setOrdered(link.bytesIn());
            peer.bytesOut().setOrdered(link.bytesOut());
            if (link.isUp())
            {
                peer.lastHeartbeat().setOrdered(nowEpochMs - (nowMs - link.lastFrameMs));
            }
        }
        counters.logLinesDropped.setOrdered(log.droppedTotal());
    }

    private NodeCounters.PeerCounters peer(final int index)
    {
        return index < peerCounters.length ? peerCounters[index] : null;
    }

    /** The link state as a {@link CounterKind#PEER_STATES} index. */
    private static int stateCode(final PeerLink.State state)
    {
        switch (state)
        {
            case CONNECTING: return 1;
            case UP: return CounterKind.PEER_STATE_UP;
            case REFUSED: return CounterKind.PEER_STATE_REFUSED;
            default: return 0;
        }
    }

    /**
     * Queue an admin answer, split into frames of at most {@code max_frame_size} ({@link AdminFrame#FLAG_MORE}
     * on all but the last). An answer over {@link #ADMIN_ANSWER_LIMIT} is refused with an ERROR that says so:
     * an answer is never dropped silently.
     *
     * @param connection the admin console's connection.
     * @param answer     ASCII text.
     */
    void sendAdminAnswer(final Connection connection, final String answer)
    {
        if (connection.isClosed())
        {
            return;
        }
        final byte[] bytes = answer.getBytes(StandardCharsets.US_ASCII);
        final int chunk = config.maxFrameSize() - AdminFrame.TEXT_OFFSET;
        final int frames = Math.max(1, (bytes.length + chunk - 1) / chunk);
        final long total = bytes.length + (long)frames * AdminFrame.TEXT_OFFSET;
        if (total > ADMIN_ANSWER_LIMIT)
        {
            final int length = ReasonFrame.encode(scratch, 0, FrameType.ERROR, ErrorCode.LIMIT_EXCEEDED,
                "admin answer of " + bytes.length + " bytes is over the " + ADMIN_ANSWER_LIMIT +
                "-byte limit of the admin console; not sent");
            connection.offer(scratch, 0, length);
            return;
        }
        if (connection.pendingBytes() + total > connection.writeLimit())
        {
            // an admin connection may queue its whole answer: it is bounded by the limit above
            connection.writeLimit((int)(connection.pendingBytes() + total));
        }
        for (int i = 0, from = 0; i < frames; i++)
        {
            final int count = Math.min(chunk, bytes.length - from);
            final int at = connection.claim(AdminFrame.TEXT_OFFSET + count);
            if (at < 0)
            {
                log.warn("admin-answer-failed", "remote=" + connection.remote() + " bytes=" + bytes.length);
                connection.close("admin answer of " + bytes.length + " bytes could not be queued");
                return;
            }
            connection.commit(AdminFrame.encode(connection.writeBuffer(), at, FrameType.ADMIN_RESPONSE,
                i < frames - 1 ? AdminFrame.FLAG_MORE : 0, bytes, from, count));
            from += count;
        }
    }

    /**
     * A running cluster can take a new peers list only if every node keeps its index: nodes appended to the end,
     * or dropped from the end, and this node still in it.
     *
     * @return null when the change can be applied live, else why not.
     */
    private String peersChangeProblem(final ServerConfig next)
    {
        final int common = Math.min(peers.peers().size(), next.peers().size());
        if (self.index() >= next.peers().size() || peers.peersDigest(common) != next.peersDigest(common))
        {
            int entry = 1;
            while (entry <= common && peers.peersDigest(entry) == next.peersDigest(entry))
            {
                entry++;
            }
            return "the new peers list changes entry " + entry + " of the running one; while the cluster runs, " +
                "nodes may only be appended to the end of the list or dropped from its end (this node stays): " +
                "restart every node to reorder or replace entries";
        }
        return null;
    }

    /**
     * Apply a re-read configuration, on the agent thread: the one place that decides what changes live.
     * {@code debug_level}, {@code log_file}, {@code log_format} and the secrets ({@code auth_secret_file},
     * {@code admin_secret_file}: the files are re-read, a changed content shows as a changed fingerprint; the agent
     * installs them) apply at once; so does {@code peers} when nodes were only appended to its end or dropped from
     * it ({@code applyPeers} takes the new list); every other changed option is reported as needing a restart.
     * Logs each change.
     *
     * @param next       the new configuration, already parsed and validated.
     * @param source     where it came from, for logs and the answer.
     * @param applyPeers takes a new peers list that can run at once.
     * @return what was applied and what needs a restart, or why nothing changed.
     */
    ReloadResult reload(final MsgcConfig next, final String source, final Consumer<ServerConfig> applyPeers)
    {
        final ServerConfig server = next.server();
        final String problem = server == null ? source + " has no msgc_server scope" :
            server.peer(self.name()) == null ? "node " + self.name() + " is not in the new peers list " +
            server.peersDescription() : null;
        if (problem != null)
        {
            log.warn("reload-failed", "file=" + source + " reason=\"" + problem + "; nothing changed\"");
            return ReloadResult.failed(source, List.of(problem));
        }
        final Map<String, String> nextOptions = ReloadResult.serverOptions(next);
        final List<ReloadResult.Change> applied = new ArrayList<>();
        final List<ReloadResult.Change> needsRestart = new ArrayList<>();
        for (final ReloadResult.Change change : ReloadResult.diff(runningOptions, nextOptions))
        {
            switch (change.option())
            {
                case "msgc_server.debug_level", "msgc_server.log_file", "msgc_server.log_format",
                    "msgc_server.auth_secret_file", "msgc_server.admin_secret_file" ->
                {
                    applied.add(change);
                    runningOptions.put(change.option(), change.after());
                }
                case "msgc_server.peers" ->
                {
                    final String why = peersChangeProblem(server);
                    if (why == null)
                    {
                        applied.add(change);
                        runningOptions.put(change.option(), change.after());
                        peers = server;
                        countPeers(server);
                        applyPeers.accept(server);
                    }
                    else
                    {
                        log.warn("reload-peers-refused", "reason=\"" + why + "\"");
                        needsRestart.add(change);
                    }
                }
                default -> needsRestart.add(change);
            }
        }
        if (!applied.isEmpty())
        {
            log.configure(server.debugLevel(), server.logFile(), server.logFormat());
        }
        for (final ReloadResult.Change change : applied)
        {
            log.notice("reload-applied", "option=" + change.option() + " old=\"" + change.before() + "\" new=\"" +
                change.after() + "\"");
        }
        for (final ReloadResult.Change change : needsRestart)
        {
            log.warn("reload-needs-restart", "option=" + change.option() + " running=\"" + change.before() +
                "\" new=\"" + change.after() + "\"");
        }
        log.notice("reloaded", "file=" + source + " applied=" + applied.size() + " needs-restart=" +
            needsRestart.size());
        return ReloadResult.done(source, applied, needsRestart);
    }
}
