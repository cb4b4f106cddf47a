package io.msgc.server;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The routing table keyed by name bytes (hash and compare eight bytes at a time): seeded random adds, finds and
 * removes against a HashMap, with names of every length and names that end exactly at the end of the buffer.
 */
class NameTableTest
{
    private static final class Named extends NameTable.Entry
    {
        Named(final String name)
        {
            super(name);
        }
    }

    @Test
    void behavesAsAMapForNamesOfEveryLength()
    {
        final Random random = new Random(42);
        final NameTable<Named> table = new NameTable<>();
        final Map<String, Named> reference = new HashMap<>();
        final List<String> names = new ArrayList<>();
        for (int step = 0; step < 20_000; step++)
        {
            final int action = random.nextInt(10);
            if (action < 5 || names.isEmpty())
            {
                final String name = randomName(random);
                if (!reference.containsKey(name))
                {
                    final Named entry = new Named(name);
                    table.add(entry);
                    reference.put(name, entry);
                    names.add(name);
                }
            }
            else if (action < 7)
            {
                final String name = names.remove(random.nextInt(names.size()));
                table.remove(reference.remove(name));
                assertNull(find(table, name), name);
            }
            else
            {
                final String name = random.nextBoolean() ? names.get(random.nextInt(names.size())) :
                    randomName(random);
                assertSame(reference.get(name), find(table, name), name);
                assertSame(reference.get(name), table.find(name), name);
            }
            assertEquals(reference.size(), table.size());
        }
    }

    @Test
    void theHashOfBytesAndOfABufferAgree()
    {
        final Random random = new Random(7);
        for (int i = 0; i < 1000; i++)
        {
            final byte[] name = randomName(random).getBytes(StandardCharsets.US_ASCII);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[name.length + 3]);
            buffer.putBytes(3, name);
            assertEquals(NameTable.hash(name), NameTable.hash(buffer, 3, name.length));
        }
    }

    /** The name is the last bytes of an exactly sized buffer: any read past it would throw. */
    private static Named find(final NameTable<Named> table, final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[5 + bytes.length]);
        buffer.putBytes(5, bytes);
        return table.find(buffer, 5, bytes.length);
    }

    private static String randomName(final Random random)
    {
        final int length = 1 + random.nextInt(random.nextBoolean() ? 9 : 127);
        final StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            sb.append((char)('a' + random.nextInt(random.nextInt(3) == 0 ? 2 : 26)));
        }
        return sb.toString();
    }
}
