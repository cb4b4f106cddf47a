package io.msgc.conf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The parser's bounds (nesting depth, included files, bytes read, errors kept) and the include rules: every
 * bound is an ordinary {@link ConfigException} at the token that went over it, never a stack overflow, an
 * out-of-memory error or a hang.
 */
class ConfigLimitsTest
{
    private static final String DEEP = "is nested too deeply: more than 64 levels of scopes, lists and maps " +
        "(includes count as the scope they are in); flatten the configuration";

    private static final int SIXTEEN_MIB = 16 * 1024 * 1024;

    @TempDir
    Path dir;

    private static String errorsOf(final String text)
    {
        return assertThrows(ConfigException.class, () -> MsgcConfig.parse("t.conf", text)).getMessage();
    }

    private static String errorsOf(final Path file)
    {
        return assertThrows(ConfigException.class, () -> MsgcConfig.load(file)).getMessage();
    }

    private Path write(final String name, final String text) throws Exception
    {
        final Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    // ---- nesting --------------------------------------------------------------------------------------------

    @Test
    void twentyThousandNestedScopesAreAnErrorNotAStackOverflow()
    {
        // before the bound: StackOverflowError out of MsgcConfig.parse, and a stack trace from msgcd
        assertEquals("t.conf:65:1: scope 'a' " + DEEP, errorsOf("a {\n".repeat(20_000)));
    }

    @Test
    void twentyThousandNestedNamedScopes()
    {
        // "Listen \"x\" { " is 13 columns: the 65th starts at 1 + 64 * 13
        assertEquals("t.conf:1:833: scope 'Listen' " + DEEP, errorsOf("Listen \"x\" { ".repeat(20_000)));
    }

    @Test
    void twentyThousandNestedLists()
    {
        // "x = " then '(' at columns 5, 6, ...: the 65th is at column 69
        assertEquals("t.conf:1:69: list " + DEEP, errorsOf("x = " + "(".repeat(20_000)));
    }

    @Test
    void twentyThousandNestedMaps()
    {
        // "[ k = " is 6 columns: the 65th '[' is at 5 + 64 * 6
        assertEquals("t.conf:1:389: map " + DEEP, errorsOf("x = " + "[ k = ".repeat(20_000)));
    }

    @Test
    void scopesListsAndMapsCountTogether()
    {
        // 62 scopes, then a map (63) holding a list (64) holding a list (65)
        final String text = "s {\n".repeat(62) + "x = [ k = ( ( 1 ) ) ]\n" + "}\n".repeat(62);
        assertEquals("t.conf:63:13: list " + DEEP, errorsOf(text));
    }

    @Test
    void sixtyFourLevelsAreFine() throws Exception
    {
        final String text = "s {\n".repeat(63) + "x = ( 1 )\n" + "}\n".repeat(63);
        assertEquals(List.of("ignored scope 's' at t.conf:1:1"), MsgcConfig.parse("t.conf", text).ignored());
    }

    @Test
    void nestingCountsAcrossIncludes() throws Exception
    {
        write("inner.conf", "# inner\n" + "b {\n".repeat(10) + "}\n".repeat(10));
        final Path main = write("main.conf", "a {\n".repeat(60) + "include \"inner.conf\"\n" + "}\n".repeat(60));
        // levels 61..64 are fine, the fifth 'b' of inner.conf (line 6) is level 65
        assertEquals(dir.resolve("inner.conf") + ":6:1: scope 'b' " + DEEP, errorsOf(main));
    }

    @Test
    void deepNestingInAnIncludedFileLetsTheIncludingFileCarryOn() throws Exception
    {
        write("deep.conf", "a {\n".repeat(100));
        final Path main = write("main.conf", "include \"deep.conf\"\nmsgc_server {\n  prot = 1\n}\n");
        // the syntax error stops deep.conf only; validation is then skipped (the tree is incomplete)
        assertEquals(dir.resolve("deep.conf") + ":65:1: scope 'a' " + DEEP, errorsOf(main));
    }

    // ---- includes -------------------------------------------------------------------------------------------

    @Test
    void moreThan256IncludedFilesIsAnError() throws Exception
    {
        for (int i = 0; i < 300; i++)
        {
            write(String.format("many/f%03d.conf", i), "# empty\n");
        }
        final Path main = write("main.conf", "# many\ninclude \"many\"\n");
        assertEquals(main + ":2:9: too many included files: more than 256 in all, at " +
            dir.resolve("many/f256.conf") + "; include fewer or larger files", errorsOf(main));
    }

    @Test
    void a256FileIncludeChainIsFineAndTheNextFileIsNot() throws Exception
    {
        for (int i = 0; i < 300; i++)
        {
            write("c" + i + ".conf", "include \"c" + (i + 1) + ".conf\"\n");
        }
        write("c300.conf", "# end\n");
        // c0 is the main file; c1..c256 are the 256 included files; c256's include of c257 is one too many
        assertEquals(dir.resolve("c256.conf") + ":1:9: too many included files: more than 256 in all, at " +
            dir.resolve("c257.conf") + "; include fewer or larger files", errorsOf(dir.resolve("c0.conf")));
        write("c256.conf", "# end\n");
        assertEquals(List.of(), MsgcConfig.load(dir.resolve("c0.conf")).ignored());
    }

    @Test
    void theSameFileIncludedOverAndOverCountsEachTime() throws Exception
    {
        write("x.conf", "# nothing\n");
        final Path main = write("main.conf", "include \"x.conf\"\n".repeat(300));
        assertEquals(main + ":257:9: too many included files: more than 256 in all, at " + dir.resolve("x.conf") +
            "; include fewer or larger files", errorsOf(main));
    }

    @Test
    void aMainTextOver16MiBIsAnError()
    {
        final String text = "#".repeat(SIXTEEN_MIB) + "\n";
        assertEquals("t.conf:1:1: configuration too large: reading t.conf would take the text read to more than " +
            "16777216 bytes (16 MiB) in all files together; remove unneeded includes or content", errorsOf(text));
    }

    @Test
    void aMainFileOver16MiBIsAnError() throws Exception
    {
        final Path main = write("big.conf", "#".repeat(SIXTEEN_MIB + 1));
        assertEquals(main + ":1:1: configuration too large: reading " + main + " would take the text read to " +
            "more than 16777216 bytes (16 MiB) in all files together; remove unneeded includes or content",
            errorsOf(main));
    }

    @Test
    void includesOver16MiBInAllAreAnErrorAtTheIncludeThatGoesOver() throws Exception
    {
        final String sixMiB = "#".repeat(6 * 1024 * 1024) + "\n";
        write("a.conf", sixMiB);
        write("b.conf", sixMiB);
        write("c.conf", sixMiB);
        write("d.conf", sixMiB);
        final Path main = write("main.conf", "include \"a.conf\"\ninclude \"b.conf\"\ninclude \"c.conf\"\n" +
            "include \"d.conf\"\n");
        // c.conf takes the total past 16 MiB; d.conf is then not read at all
        assertEquals(main + ":3:9: configuration too large: reading " + dir.resolve("c.conf") + " would take the " +
            "text read to more than 16777216 bytes (16 MiB) in all files together; remove unneeded includes or " +
            "content", errorsOf(main));
    }

    @Test
    void moreThanAMillionValuesIsAnErrorNotAnOutOfMemoryError()
    {
        // 16 MiB of one-letter list items would be 8 million values: gigabytes of tree
        final String text = "x = (" + " a".repeat(1_000_000) + " b c )\n";
        // x and the list are 2 values: item 999,999 is value 1,000,001, at column 5 + 2 * 999,999
        assertEquals("t.conf:1:2000003: configuration too large: more than 1000000 options, scopes, includes, list " +
            "items and map entries in all files together; remove unneeded content", errorsOf(text));
    }

    @Test
    void theValueLimitStopsTheWholeLoadAcrossIncludes() throws Exception
    {
        write("big.conf", "x = (\n" + "a\n".repeat(999_999) + ")\n");
        final Path main = write("main.conf", "a {\n  include \"big.conf\"\n  q = 3\n}\nr = 4\n");
        // a, the include, x and the list are 4: item 999,997 (line 999,998) is value 1,000,001; q and r are not read
        assertEquals(dir.resolve("big.conf") + ":999998:1: configuration too large: more than 1000000 options, " +
            "scopes, includes, list items and map entries in all files together; remove unneeded content",
            errorsOf(main));
    }

    @Test
    void aDirectoryIncludeSkipsHiddenFilesAndDoesNotRecurse() throws Exception
    {
        write("d/10-server.conf", "msgc_server {\n  peers = [ n = \"127.0.0.1\" ]\n}\n");
        write("d/.10-server.conf.swp", "garbage {{{\n");
        write("d/.hidden.conf", "msgc_server { port = 1 }\n");
        write("d/sub/20-more.conf", "garbage {{{\n");
        write("d/.git/config", "garbage {{{\n");
        final Path main = write("main.conf", "include \"d\"\n");
        final MsgcConfig config = MsgcConfig.load(main);
        assertEquals(4809, config.server().port());
        assertEquals(List.of(), config.ignored());
    }

    @Test
    void anExplicitlyNamedHiddenFileIsIncluded() throws Exception
    {
        write(".peers.conf", "peers = [ n = \"127.0.0.1\" ]\n");
        final Path main = write("main.conf", "msgc_server {\n  include \".peers.conf\"\n}\n");
        assertEquals("[n=127.0.0.1:4809]", MsgcConfig.load(main).server().peersDescription());
    }

    @Test
    void invalidUtf8IsAnErrorAtTheByte() throws Exception
    {
        final Path main = dir.resolve("bad.conf");
        Files.write(main, new byte[]{'#', ' ', 'o', 'k', '\n', ' ', ' ', 'x', ' ', '=', ' ', (byte)0xC3, '(', '\n'});
        assertEquals(main + ":2:7: invalid UTF-8 byte 0xC3; configuration files must be UTF-8 text", errorsOf(main));
    }

    @Test
    void invalidUtf8InAnIncludedFileNamesThatFile() throws Exception
    {
        Files.write(dir.resolve("inc.conf"), new byte[]{(byte)0xE9});
        final Path main = write("main.conf", "include \"inc.conf\"\n");
        assertEquals(dir.resolve("inc.conf") + ":1:1: invalid UTF-8 byte 0xE9; configuration files must be UTF-8 " +
            "text", errorsOf(main));
    }

    @Test
    void aNulInAnIncludePathIsAnError()
    {
        assertEquals("t.conf:1:9: invalid include path string \"a\\x00b\": Nul character not allowed",
            errorsOf("include \"a\u0000b\"\n"));
    }

    // ---- errors and time --------------------------------------------------------------------------------------

    @Test
    void atMost100ErrorsAreKeptAndTheRestCounted()
    {
        final String text = "msgc_server {\n  peers = [ n = \"127.0.0.1\" ]\n" + "  prot = 1\n".repeat(150) + "}\n";
        final ConfigException ex = assertThrows(ConfigException.class, () -> MsgcConfig.parse("t.conf", text));
        assertEquals(101, ex.errors().size());
        assertEquals("t.conf:103:3: duplicate option 'prot' (first set at t.conf:3:3)", ex.errors().get(99).toString());
        assertEquals("t.conf:104:3: too many errors: 50 more from here on not shown; fix the ones above first",
            ex.errors().get(100).toString());
    }

    @Test
    void manySiblingScopesTakeLinearTime() throws Exception
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200_000; i++)
        {
            text.append('s').append(i).append(" { }\n");
        }
        // before: every new scope scanned all earlier ones, 2e10 comparisons
        final MsgcConfig config = assertTimeoutPreemptively(Duration.ofSeconds(5),
            () -> MsgcConfig.parse("t.conf", text.toString()));
        assertEquals(200_000, config.ignored().size());
    }
}
