package io.msgc.cli;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real network for partition tests, built with {@code ip netns} (root only): one namespace per node, each with
 * a mesh link (a veth pair whose other end is a port of a bridge in a namespace of its own) carrying the peer links,
 * and a client link (a veth pair to the test's own namespace) carrying the members' connections, so that cutting
 * a node's mesh link leaves its members connected. {@link #cut} drops every packet on both ends of a mesh link with
 * {@code tc qdisc ... netem loss 100%} (or, on a kernel without netem, a zero-length {@code pfifo}: the same silent
 * drop at the egress queue); no RST and no ICMP reaches either side, so the peer links stay half-open until the
 * peer timeout. Names are unique per run; {@link #close} removes everything and runs on JVM exit too.
 * <p>
 * Addresses: 10.R.0.i/24 on node i's mesh link; 10.R.(10+i).2/30 on its client link, 10.R.(10+i).1 on the test's
 * end, R chosen at random among blocks no route of this host uses.
 */
final class NetnsTopology implements AutoCloseable
{
    private final String tag;
    private final int nodes;
    private final int block;
    private final List<String> namespaces = new ArrayList<>();
    private final List<String> rootLinks = new ArrayList<>();
    private final Thread cleanup = new Thread(this::removeAll, "netns-cleanup");
    private String dropQdisc;

    private NetnsTopology(final int nodes, final int block)
    {
        this.tag = "vs" + Long.toString(ProcessHandle.current().pid() % 1296, 36) +
            Integer.toString(ThreadLocalRandom.current().nextInt(1296), 36);
        this.nodes = nodes;
        this.block = block;
    }

    /**
     * Build the topology, or skip the calling test (JUnit assumption) when namespaces cannot be created here.
     *
     * @param nodes node count (1..9).
     * @return the topology.
     */
    static NetnsTopology create(final int nodes) throws Exception
    {
        final String probe = "vsprobe" + ProcessHandle.current().pid();
        final Result created;
        try
        {
            created = run("ip", "netns", "add", probe);
        }
        catch (final IOException ex)
        {
            Assumptions.abort("network namespaces cannot be created here (no `ip` command: " + ex.getMessage() +
                "); the real-partition test needs root and iproute2");
            throw ex;
        }
        Assumptions.assumeTrue(created.exit == 0, () -> "network namespaces cannot be created here (`ip netns add` " +
            "exited " + created.exit + ": " + created.output.trim() + "); the real-partition test needs root");
        run("ip", "netns", "del", probe);
        final String routes = run("ip", "-4", "route", "show", "table", "all").output +
            run("ip", "-4", "addr").output;
        int block = -1;
        for (int attempt = 0; attempt < 100 && block < 0; attempt++)
        {
            final int candidate = 100 + ThreadLocalRandom.current().nextInt(150);
            if (!routes.contains("10." + candidate + "."))
            {
                block = candidate;
            }
        }
        final NetnsTopology net = new NetnsTopology(nodes, block);
        Runtime.getRuntime().addShutdownHook(net.cleanup);
        try
        {
            net.build();
        }
        catch (final Exception | AssertionError ex)
        {
            net.close();
            throw ex;
        }
        return net;
    }

    private void build() throws Exception
    {
        final String bridgeNs = tag + "br";
        must("ip", "netns", "add", bridgeNs);
        namespaces.add(bridgeNs);
        must("ip", "netns", "exec", bridgeNs, "ip", "link", "add", "br0", "type", "bridge");
        must("ip", "netns", "exec", bridgeNs, "ip", "link", "set", "br0", "up");
        for (int i = 1; i <= nodes; i++)
        {
            final String ns = namespace(i);
            must("ip", "netns", "add", ns);
            namespaces.add(ns);
            must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
            // mesh link: node end in its namespace, other end a port of the bridge
            must("ip", "link", "add", meshLink(i), "type", "veth", "peer", "name", bridgePort(i));
            rootLinks.add(meshLink(i));
            must("ip", "link", "set", meshLink(i), "netns", ns);
            must("ip", "link", "set", bridgePort(i), "netns", bridgeNs);
            rootLinks.remove(meshLink(i));
            must("ip", "netns", "exec", bridgeNs, "ip", "link", "set", bridgePort(i), "master", "br0");
            must("ip", "netns", "exec", bridgeNs, "ip", "link", "set", bridgePort(i), "up");
            must("ip", "netns", "exec", ns, "ip", "addr", "add", meshAddress(i) + "/24", "dev", meshLink(i));
            must("ip", "netns", "exec", ns, "ip", "link", "set", meshLink(i), "up");
            // client link: the test's end stays here
            final String clientEnd = tag + "c" + i;
            final String nodeEnd = tag + "d" + i;
            must("ip", "link", "add", clientEnd, "type", "veth", "peer", "name", nodeEnd);
            rootLinks.add(clientEnd);
            must("ip", "link", "set", nodeEnd, "netns", ns);
            must("ip", "addr", "add", "10." + block + "." + (10 + i) + ".1/30", "dev", clientEnd);
            must("ip", "link", "set", clientEnd, "up");
            must("ip", "netns", "exec", ns, "ip", "addr", "add", clientAddress(i) + "/30", "dev", nodeEnd);
            must("ip", "netns", "exec", ns, "ip", "link", "set", nodeEnd, "up");
        }
        // netem where the kernel has it; else a queue of length 0, which drops every packet the same way
        final Result netem = run("ip", "netns", "exec", namespace(1), "tc", "qdisc", "add", "dev", "lo", "root",
            "netem", "loss", "100%");
        dropQdisc = netem.exit == 0 ? "netem loss 100%" : "pfifo limit 0";
        run("ip", "netns", "exec", namespace(1), "tc", "qdisc", "del", "dev", "lo", "root");
    }

    /**
     * @return how {@link #cut} drops packets: {@code "netem loss 100%"}, or {@code "pfifo limit 0"} on a kernel
     * built without netem.
     */
    String dropQdisc()
    {
        return dropQdisc;
    }

    /**
     * @param i node (1-based).
     * @return its namespace.
     */
    String namespace(final int i)
    {
        return tag + "n" + i;
    }

    /**
     * @param i node (1-based).
     * @return the address of its mesh link (its peers entry).
     */
    String meshAddress(final int i)
    {
        return "10." + block + ".0." + i;
    }

    /**
     * @param i node (1-based).
     * @return the address its members dial, on its client link.
     */
    String clientAddress(final int i)
    {
        return "10." + block + "." + (10 + i) + ".2";
    }

    private String meshLink(final int i)
    {
        return tag + "m" + i;
    }

    private String bridgePort(final int i)
    {
        return tag + "b" + i;
    }

    /**
     * Drop every packet on node i's mesh link, both ways, silently.
     *
     * @param i node (1-based).
     */
    void cut(final int i) throws Exception
    {
        final List<String> args = List.of(dropQdisc.split(" "));
        final List<String> node = new ArrayList<>(List.of("ip", "netns", "exec", namespace(i), "tc", "qdisc", "add",
            "dev", meshLink(i), "root"));
        node.addAll(args);
        must(node.toArray(new String[0]));
        final List<String> bridge = new ArrayList<>(List.of("ip", "netns", "exec", tag + "br", "tc", "qdisc", "add",
            "dev", bridgePort(i), "root"));
        bridge.addAll(args);
        must(bridge.toArray(new String[0]));
    }

    /**
     * Remove the drops of {@link #cut}.
     *
     * @param i node (1-based).
     */
    void heal(final int i) throws Exception
    {
        must("ip", "netns", "exec", namespace(i), "tc", "qdisc", "del", "dev", meshLink(i), "root");
        must("ip", "netns", "exec", tag + "br", "tc", "qdisc", "del", "dev", bridgePort(i), "root");
    }

    /**
     * @param i node (1-based).
     * @return the packets the drop on node i's end of its mesh link has dropped ({@code tc -s qdisc}).
     */
    long dropped(final int i) throws Exception
    {
        final String out = must("ip", "netns", "exec", namespace(i), "tc", "-s", "qdisc", "show", "dev", meshLink(i));
        final int at = out.indexOf("dropped ");
        return at < 0 ? 0 : Long.parseLong(out.substring(at + 8, out.indexOf(',', at)).trim());
    }

    private synchronized void removeAll()
    {
        for (final String link : rootLinks)
        {
            quietly("ip", "link", "del", link);
        }
        rootLinks.clear();
        for (final String ns : namespaces)
        {
            quietly("ip", "netns", "del", ns);
        }
        namespaces.clear();
    }

    /** {@inheritDoc} */
    public void close()
    {
        removeAll();
        try
        {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        catch (final IllegalStateException ignore)
        {
            // already shutting down: the hook runs
        }
    }

    private static void quietly(final String... command)
    {
        try
        {
            run(command);
        }
        catch (final IOException | InterruptedException ignore)
        {
            // best effort
        }
    }

    private static String must(final String... command) throws IOException, InterruptedException
    {
        final Result r = run(command);
        if (r.exit != 0)
        {
            throw new IOException(String.join(" ", command) + " exited " + r.exit + ": " + r.output.trim());
        }
        return r.output;
    }

    private static final class Result
    {
        final int exit;
        final String output;

        Result(final int exit, final String output)
        {
            this.exit = exit;
            this.output = output;
        }
    }

    private static Result run(final String... command) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 10 s");
        }
        return new Result(p.exitValue(), out);
    }
}
