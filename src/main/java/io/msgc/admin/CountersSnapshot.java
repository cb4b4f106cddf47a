package io.msgc.admin;

import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.CountersReader;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One read of a node's {@link CountersFile}: the header, every counter and the error log's totals, and the three
 * ways operators see them: {@code msgc stat} text, Prometheus text for {@code GET /metrics}, the JSON of
 * {@code GET /healthz}. Built by readers (the CLI, the metrics thread), never on the event loop.
 */
public final class CountersSnapshot
{
    /** A loop heartbeat older than this (or than peer_timeout_ms, if longer) means the loop is stalled. */
    public static final long MIN_STALL_MS = 1000;

    private final String node;
    private final String version;
    private final long pid;
    private final boolean writerAlive;
    private final long startMs;
    private final long heartbeatMs;
    private final long stopMs;
    private final int peerTimeoutMs;
    private final Map<CounterKind, Long> system = new EnumMap<>(CounterKind.class);
    private final Map<String, Map<CounterKind, Long>> peers = new LinkedHashMap<>();
    private int distinctErrors;
    private long errorObservations;

    private CountersSnapshot(final CountersFile file)
    {
        node = file.node();
        version = file.version();
        pid = file.pid();
        writerAlive = file.isWriterAlive();
        startMs = file.startTimeMs();
        heartbeatMs = file.heartbeatMs();
        stopMs = file.stopTimeMs();
        peerTimeoutMs = file.peerTimeoutMs();
        final CountersReader reader = file.countersReader();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            final CounterKind kind = CounterKind.ofTypeId(typeId);
            if (kind == null)
            {
                return;
            }
            final long value = reader.getCounterValue(counterId);
            if (kind.perPeer())
            {
                final String peer = keyBuffer.getStringAscii(0);
                peers.computeIfAbsent(peer, p -> new EnumMap<>(CounterKind.class)).put(kind, value);
            }
            else
            {
                system.put(kind, value);
            }
        });
        ErrorLogReader.read(file.errorLogBuffer(), (count, first, last, encoded) ->
        {
            distinctErrors++;
            errorObservations += count;
        });
    }

    /**
     * @param file a mapped counters file.
     * @return its values now.
     */
    public static CountersSnapshot read(final CountersFile file)
    {
        return new CountersSnapshot(file);
    }

    /**
     * @return the node name.
     */
    public String node()
    {
        return node;
    }

    /**
     * @return the writer's msgc version.
     */
    public String version()
    {
        return version;
    }

    /**
     * @return the writer's pid.
     */
    public long pid()
    {
        return pid;
    }

    /**
     * @param kind a system counter.
     * @return its value (0 when the file has none).
     */
    public long value(final CounterKind kind)
    {
        return system.getOrDefault(kind, 0L);
    }

    /**
     * @param peer node name.
     * @param kind a per-peer counter.
     * @return its value (0 when the file has none).
     */
    public long peerValue(final String peer, final CounterKind kind)
    {
        final Map<CounterKind, Long> values = peers.get(peer);
        return values == null ? 0 : values.getOrDefault(kind, 0L);
    }

    /**
     * @return the peers in the file, in peers-list order.
     */
    public List<String> peers()
    {
        return new ArrayList<>(peers.keySet());
    }

    /**
     * @param peer node name.
     * @return its link state name: down, connecting, up, refused.
     */
    public String peerState(final String peer)
    {
        final long state = peerValue(peer, CounterKind.PEER_STATE);
        return state >= 0 && state < CounterKind.PEER_STATES.length ? CounterKind.PEER_STATES[(int)state] : "?";
    }

    /**
     * @return distinct errors in the error log.
     */
    public int distinctErrors()
    {
        return distinctErrors;
    }

    /**
     * @return true when every peer link is up.
     */
    public boolean meshComplete()
    {
        for (final String peer : peers.keySet())
        {
            if (peerValue(peer, CounterKind.PEER_STATE) != CounterKind.PEER_STATE_UP)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param nowMs epoch ms.
     * @return true when the event loop has not turned for longer than peer_timeout_ms (at least 1 s).
     */
    public boolean loopStalled(final long nowMs)
    {
        return nowMs - heartbeatMs > Math.max(MIN_STALL_MS, peerTimeoutMs);
    }

    /**
     * @param nowMs epoch ms.
     * @return true for a running node whose loop turns and whose mesh is complete.
     */
    public boolean healthy(final long nowMs)
    {
        return stopMs == 0 && writerAlive && !loopStalled(nowMs) && meshComplete();
    }

    /**
     * @param nowMs epoch ms.
     * @return the state of the writer, one line: running, stalled, stopped, gone.
     */
    public String liveness(final long nowMs)
    {
        if (stopMs != 0)
        {
            return "stopped cleanly at " + Instant.ofEpochMilli(stopMs);
        }
        if (!writerAlive)
        {
            return "STALE: process " + pid + " is gone (crashed or killed); values are from its last moments";
        }
        if (loopStalled(nowMs))
        {
            return "STALLED: the event loop has not turned for " + seconds(nowMs - heartbeatMs) +
                " (process stopped, or the loop is stuck)";
        }
        return "running";
    }

    // ---------------------------------------------------------------- msgc stat

    /**
     * @param nowMs epoch ms.
     * @param where the file's path, for the header line.
     * @return the {@code msgc stat} text.
     */
    public String statText(final long nowMs, final String where)
    {
        final StringBuilder out = new StringBuilder();
        out.append("node ").append(node).append("  msgc ").append(version).append("  pid ").append(pid)
            .append('\n');
        out.append("state ").append(liveness(nowMs)).append('\n');
        out.append("started ").append(Instant.ofEpochMilli(startMs)).append(" (up ")
            .append(seconds((stopMs != 0 ? stopMs : nowMs) - startMs)).append(")\n");
        out.append("loop last turn ").append(seconds(nowMs - heartbeatMs)).append(" ago\n");
        out.append("file ").append(where).append('\n');
        out.append("\ncounters\n");
        for (final CounterKind kind : CounterKind.values())
        {
            if (!kind.perPeer())
            {
                out.append(String.format(Locale.ROOT, "  %-42s %d%n", kind.label(), value(kind)));
            }
        }
        out.append("\npeers\n");
        out.append(String.format(Locale.ROOT, "  %-12s %-10s %14s %14s %6s %6s  %s%n",
            "PEER", "STATE", "BYTES_IN", "BYTES_OUT", "UPS", "DOWNS", "LAST_FRAME"));
        for (final String peer : peers.keySet())
        {
            final long last = peerValue(peer, CounterKind.PEER_LAST_HEARTBEAT);
            out.append(String.format(Locale.ROOT, "  %-12s %-10s %14d %14d %6d %6d  %s%n",
                peer, peerState(peer), peerValue(peer, CounterKind.PEER_BYTES_IN),
                peerValue(peer, CounterKind.PEER_BYTES_OUT), peerValue(peer, CounterKind.PEER_LINK_UPS),
                peerValue(peer, CounterKind.PEER_LINK_DOWNS),
                last == 0 ? "never" : seconds(nowMs - last) + " ago"));
        }
        out.append("\nerrors ").append(distinctErrors).append(" distinct, ").append(errorObservations)
            .append(" observations").append(distinctErrors > 0 ? " (msgc errors shows them)" : "").append('\n');
        return out.toString();
    }

    private static String seconds(final long ms)
    {
        if (ms < 60_000)
        {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        final Duration d = Duration.ofMillis(ms);
        return String.format(Locale.ROOT, "%dh%02dm%02ds", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }

    // ---------------------------------------------------------------- GET /metrics

    /**
     * @return every counter in the Prometheus text exposition format (version 0.0.4).
     */
    public String prometheus()
    {
        final StringBuilder out = new StringBuilder(4096);
        header(out, "msgc_info", "gauge", "Node name and msgc version of this process");
        out.append("msgc_info{node=\"").append(escape(node)).append("\",version=\"").append(escape(version))
            .append("\"} 1\n");
        header(out, "msgc_start_time_seconds", "gauge", "Start time of the node (Unix seconds)");
        out.append("msgc_start_time_seconds ").append(ms(startMs)).append('\n');
        header(out, "msgc_loop_heartbeat_timestamp_seconds", "gauge",
            "Time of a recent event-loop turn (Unix seconds); stale when the loop is stuck");
        out.append("msgc_loop_heartbeat_timestamp_seconds ").append(ms(heartbeatMs)).append('\n');
        header(out, "msgc_errors_total", "counter", "Errors recorded in the error log (msgc errors)");
        out.append("msgc_errors_total ").append(errorObservations).append('\n');
        header(out, "msgc_distinct_errors", "gauge", "Distinct errors recorded in the error log");
        out.append("msgc_distinct_errors ").append(distinctErrors).append('\n');

        String current = null;
        for (final CounterKind kind : CounterKind.values())
        {
            if (kind.perPeer())
            {
                continue;
            }
            if (!kind.metric().equals(current))
            {
                current = kind.metric();
                header(out, current, kind.gauge() ? "gauge" : "counter", kind.help());
            }
            out.append(current);
            if (!kind.labels().isEmpty())
            {
                out.append('{').append(kind.labels()).append('}');
            }
            final long value = value(kind);
            out.append(' ').append(kind == CounterKind.LOOP_MAX_TURN_NS ?
                String.format(Locale.ROOT, "%.9f", value / 1e9) : Long.toString(value)).append('\n');
        }

        header(out, "msgc_peer_up", "gauge", "1 when the link to the peer is up, else 0");
        for (final String peer : peers.keySet())
        {
            out.append("msgc_peer_up{peer=\"").append(escape(peer)).append("\"} ")
                .append(peerValue(peer, CounterKind.PEER_STATE) == CounterKind.PEER_STATE_UP ? 1 : 0).append('\n');
        }
        for (final CounterKind kind : CounterKind.values())
        {
            if (!kind.perPeer())
            {
                continue;
            }
            header(out, kind.metric(), kind.gauge() ? "gauge" : "counter", kind.help());
            for (final String peer : peers.keySet())
            {
                final long value = peerValue(peer, kind);
                if (kind == CounterKind.PEER_STATE)
                {
                    for (int s = 0; s < CounterKind.PEER_STATES.length; s++)
                    {
                        out.append(kind.metric()).append("{peer=\"").append(escape(peer)).append("\",state=\"")
                            .append(CounterKind.PEER_STATES[s]).append("\"} ").append(value == s ? 1 : 0)
                            .append('\n');
                    }
                    continue;
                }
                out.append(kind.metric()).append("{peer=\"").append(escape(peer)).append("\"} ")
                    .append(kind == CounterKind.PEER_LAST_HEARTBEAT ? ms(value) : Long.toString(value)).append('\n');
            }
        }
        return out.toString();
    }

    private static void header(final StringBuilder out, final String name, final String type, final String help)
    {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
            .append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String ms(final long epochMs)
    {
        return String.format(Locale.ROOT, "%.3f", epochMs / 1000.0);
    }

    private static String escape(final String value)
    {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    // ---------------------------------------------------------------- GET /healthz

    /**
     * @param nowMs epoch ms.
     * @return the /healthz body: status, node, version, loop heartbeat age, and each peer's link state.
     */
    public String healthJson(final long nowMs)
    {
        final String status = stopMs != 0 ? "stopped" : loopStalled(nowMs) ? "loop-stalled" :
            meshComplete() ? "ok" : "degraded";
        final StringBuilder out = new StringBuilder(256);
        out.append("{\"status\":\"").append(status).append("\",\"node\":\"").append(Json.escape(node))
            .append("\",\"version\":\"").append(Json.escape(version)).append("\",\"loop_heartbeat_ms_ago\":")
            .append(Math.max(0, nowMs - heartbeatMs)).append(",\"peers\":{");
        boolean first = true;
        for (final String peer : peers.keySet())
        {
            out.append(first ? "" : ",").append('"').append(Json.escape(peer)).append("\":\"")
                .append(peerState(peer)).append('"');
            first = false;
        }
        return out.append("}}\n").toString();
    }
}
