package io.msgc.server;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

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
        final int nameHash;

        Entry(final String name)
        {
            this.name = name;
            this.nameBytes = name.getBytes(StandardCharsets.US_ASCII);
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
            if (entry.nameHash == hash && sameBytes(entry.nameBytes, buffer, offset, length))
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
            if (entry.nameHash == hash && java.util.Arrays.equals(entry.nameBytes, bytes))
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
    void forEach(final java.util.function.Consumer<T> action)
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

    private static boolean sameBytes(final byte[] bytes, final DirectBuffer buffer, final int offset, final int length)
    {
        if (bytes.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (bytes[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    static int hash(final byte[] bytes)
    {
        int h = 0x811C9DC5;
        for (final byte b : bytes)
        {
            h = (h ^ b) * 0x01000193;
        }
        return mix(h);
    }

    static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        int h = 0x811C9DC5;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ buffer.getByte(offset + i)) * 0x01000193;
        }
        return mix(h);
    }

    private static int mix(final int h)
    {
        return h ^ (h >>> 16);
    }
}
