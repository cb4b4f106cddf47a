package io.msgc.server;

import io.msgc.conf.PeerConfig;
import io.msgc.wire.NameRules;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The nodes of the peers list by index, shared by the engine, the router and the group table. A node's index is
 * its position in the list, and a reload may only append nodes or drop the last ones, so the index of a running
 * node never changes. The names of dropped nodes are kept: frames of theirs may still be in flight, and their
 * members stay in the tables until the view change that removes them.
 */
final class NodeNames
{
    /** Most nodes a cluster may have: node sets are 64-bit masks. */
    static final int MAX = 64;

    private final String[] names = new String[MAX];
    private final byte[][] bytes = new byte[MAX][];
    private final long[][] words = new long[MAX][];
    private int count;
    private int highWater;

    /**
     * @param peers the peers list.
     */
    NodeNames(final List<PeerConfig> peers)
    {
        update(peers);
    }

    /**
     * @param names node names by index, for tests and benchmarks.
     */
    NodeNames(final String... names)
    {
        for (final String name : names)
        {
            add(name);
        }
    }

    /**
     * Take a new peers list whose common part with the current one is the same (checked by the caller).
     *
     * @param peers the new list.
     */
    void update(final List<PeerConfig> peers)
    {
        count = 0;
        for (final PeerConfig peer : peers)
        {
            add(peer.name());
        }
    }

    private void add(final String name)
    {
        if (count == MAX)
        {
            throw new IllegalArgumentException("at most " + MAX + " nodes are supported");
        }
        names[count] = name;
        bytes[count] = name.getBytes(StandardCharsets.US_ASCII);
        words[count] = NameRules.words(bytes[count]);
        count++;
        highWater = Math.max(highWater, count);
    }

    /**
     * @return nodes in the current peers list.
     */
    int count()
    {
        return count;
    }

    /**
     * @return the most nodes the list ever had since start: indexes below this may still appear in frames.
     */
    int highWater()
    {
        return highWater;
    }

    /**
     * @param index a node index below {@link #highWater()}.
     * @return its name.
     */
    String name(final int index)
    {
        return names[index];
    }

    /**
     * @param index a node index below {@link #highWater()}.
     * @return its name as ASCII bytes.
     */
    byte[] bytes(final int index)
    {
        return bytes[index];
    }

    /**
     * @param index a node index below {@link #highWater()}.
     * @return {@link NameRules#words} of its name.
     */
    long[] words(final int index)
    {
        return words[index];
    }

    /**
     * @param buffer holds a node name.
     * @param offset where it starts.
     * @param length its length.
     * @return the index of that node in the current list, or -1.
     */
    int indexOf(final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < count; i++)
        {
            final byte[] name = bytes[i];
            if (name.length == length && sameBytes(name, buffer, offset))
            {
                return i;
            }
        }
        return -1;
    }

    private static boolean sameBytes(final byte[] name, final DirectBuffer buffer, final int offset)
    {
        for (int i = 0; i < name.length; i++)
        {
            if (name[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }
}
