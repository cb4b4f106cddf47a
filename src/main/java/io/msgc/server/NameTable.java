package io.msgc.server;

import io.msgc.wire.NameRules;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Open-addressing hash table keyed by ASCII name bytes, so that routing finds a group or member straight from
 * the bytes of a frame without building a String. Linear probing with backward-shift deletion.
 *
 * @param <T> entry type.
 */
final class NameTable<T extends NameTable.Entry>
{
    /**
     * An entry: its name bytes and their hash.
     */
    abstract static class Entry
    {
        final String name;
        final byte[] nameBytes;
        final long[] nameWords;
        final int nameHash;

        Entry(final String name)
        {
            this.name = name;
            this.nameBytes = name.getBytes(StandardCharsets.US_ASCII);
            this.nameWords = NameRules.words(nameBytes);
            this.nameHash = hash(nameBytes);
        }

        /**
         * @return the name.
         */
        String name()
        {
            return name;
        }
    }

    private Entry[] slots = new Entry[64];
    private int size;

    @SuppressWarnings("unchecked")
    T find(final DirectBuffer buffer, final int offset, final int length)
    {
        final Entry[] slots = this.slots;
        final int mask = slots.length - 1;
        final int hash = hash(buffer, offset, length);
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            final Entry entry = slots[i];
            if (entry == null)
            {
                return null;
            }
            if (entry.nameHash == hash && sameBytes(entry, buffer, offset, length))
            {
                return (T)entry;
            }
        }
    }

    @SuppressWarnings("unchecked")
    T find(final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        final int hash = hash(bytes);
        final int mask = slots.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            final Entry entry = slots[i];
            if (entry == null)
            {
                return null;
            }
            if (entry.nameHash == hash && Arrays.equals(entry.nameBytes, bytes))
            {
                return (T)entry;
            }
        }
    }

    void add(final T entry)
    {
        if ((size + 1) * 2 > slots.length)
        {
            resize(slots.length << 1);
        }
        insert(slots, entry);
        size++;
    }

    void remove(final T entry)
    {
        final Entry[] slots = this.slots;
        final int mask = slots.length - 1;
        int i = entry.nameHash & mask;
        while (slots[i] != entry)
        {
            if (slots[i] == null)
            {
                return;
            }
            i = (i + 1) & mask;
        }
        slots[i] = null;
        size--;
        // backward-shift the following cluster so lookups never stop early
        int hole = i;
        for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask)
        {
            final int home = slots[j].nameHash & mask;
            if (((j - home) & mask) >= ((j - hole) & mask))
            {
                slots[hole] = slots[j];
                slots[j] = null;
                hole = j;
            }
        }
    }

    int size()
    {
        return size;
    }

    @SuppressWarnings("unchecked")
    void forEach(final Consumer<T> action)
    {
        for (final Entry entry : slots.clone())
        {
            if (entry != null)
            {
                action.accept((T)entry);
            }
        }
    }

    private void resize(final int capacity)
    {
        final Entry[] grown = new Entry[BitUtil.findNextPositivePowerOfTwo(capacity)];
        for (final Entry entry : slots)
        {
            if (entry != null)
            {
                insert(grown, entry);
            }
        }
        slots = grown;
    }

    private static void insert(final Entry[] slots, final Entry entry)
    {
        final int mask = slots.length - 1;
        int i = entry.nameHash & mask;
        while (slots[i] != null)
        {
            i = (i + 1) & mask;
        }
        slots[i] = entry;
    }

    /**
     * Compare a name in a buffer with an entry's, eight bytes at a time.
     */
    private static boolean sameBytes(final Entry entry, final DirectBuffer buffer, final int offset, final int length)
    {
        return entry.nameBytes.length == length && sameWords(entry.nameWords, buffer, offset, length);
    }

    /**
     * @param words  a name as {@link NameRules#words} gives it.
     * @param buffer holding a name of the same length.
     * @param offset where that name starts.
     * @param length the length of both.
     * @return true when the two names are the same bytes.
     */
    static boolean sameWords(final long[] words, final DirectBuffer buffer, final int offset, final int length)
    {
        final int full = length >> 3;
        for (int k = 0; k < full; k++)
        {
            if (buffer.getLong(offset + (k << 3), LITTLE_ENDIAN) != words[k])
            {
                return false;
            }
        }
        return (length & 7) == 0 || tail(buffer, offset + (full << 3), length & 7) == words[full];
    }

    static int hash(final byte[] bytes)
    {
        return hash(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    /**
     * FNV-1a over little-endian 8-byte words (the last one zero-padded), folded to 32 bits: one multiply per eight
     * bytes of name. A name is never read past its end, so a name at the very end of a buffer is safe (its last
     * bytes may be read together with bytes before it).
     */
    static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        long h = 0xcbf29ce484222325L;
        final int full = length >> 3;
        for (int k = 0; k < full; k++)
        {
            h = (h ^ buffer.getLong(offset + (k << 3), LITTLE_ENDIAN)) * 0x100000001b3L;
        }
        if ((length & 7) != 0)
        {
            h = (h ^ tail(buffer, offset + (full << 3), length & 7)) * 0x100000001b3L;
        }
        return mix((int)(h ^ (h >>> 32)));
    }

    /**
     * The last 1..7 bytes of a name as a zero-padded little-endian word: one read of the eight bytes that end
     * where the name ends (bytes before it in the buffer, shifted out), unless the name is that close to the
     * buffer's start.
     */
    private static long tail(final DirectBuffer buffer, final int offset, final int count)
    {
        final int end = offset + count;
        if (end >= 8)
        {
            return buffer.getLong(end - 8, LITTLE_ENDIAN) >>> ((8 - count) << 3);
        }
        long word = 0;
        for (int i = 0; i < count; i++)
        {
            word |= (buffer.getByte(offset + i) & 0xFFL) << (i << 3);
        }
        return word;
    }

    private static int mix(final int h)
    {
        return h ^ (h >>> 16);
    }
}
