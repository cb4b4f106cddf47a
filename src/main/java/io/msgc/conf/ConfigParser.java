package io.msgc.conf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Recursive-descent parser from tokens to the generic {@link ConfigNode} tree; resolves {@code include} and
 * {@code readonly_include} into the scope that contains them. Knows the syntax only, not what options mean.
 *
 * <pre>
 * file      := statement*
 * statement := WORD '=' value | WORD [WORD|STRING] '{' statement* '}' | ('include'|'readonly_include') path
 * value     := WORD | STRING | '(' (value ','?)* ')' | '[' (key '=' value ','?)* ']'
 * </pre>
 *
 * Bounded, so that no input can exhaust the stack or the heap: scopes, lists and maps nest at most
 * {@link #MAX_DEPTH} deep (counted across includes), at most {@link #MAX_INCLUDED_FILES} files are included,
 * at most {@link #MAX_TOTAL_BYTES} bytes are read and at most {@link #MAX_ELEMENTS} values are held in all.
 * Going over a bound is an ordinary error at the token that went over.
 */
final class ConfigParser
{
    /** Deepest nesting of scopes, lists and maps together, counted across includes. */
    static final int MAX_DEPTH = 64;
    /** Most files included in one load, the main file not counted. */
    static final int MAX_INCLUDED_FILES = 256;
    /** Most bytes of text read in one load, the main file and every included file together (16 MiB). */
    static final int MAX_TOTAL_BYTES = 16 * 1024 * 1024;
    /**
     * Most statements and values (options, scopes, includes, list items, map entries) in one load: what the tree
     * holds in memory, so that 16 MiB of tiny items cannot need gigabytes of heap.
     */
    static final int MAX_ELEMENTS = 1_000_000;

    /** Unwinds the whole load, not just one file: after this bound nothing more is read. */
    private static final class LoadLimitException extends RuntimeException
    {
        private LoadLimitException()
        {
            super(null, null, false, false);
        }
    }

    /** A file being parsed: its identity for cycle detection and its name for messages. */
    private record Frame(Path identity, String display)
    {
    }

    private final ConfigErrors errors = new ConfigErrors();
    private final Deque<Frame> includeStack = new ArrayDeque<>();
    private boolean structural;
    private int depth;
    private int includedFiles;
    private long totalBytes;
    private int elements;
    private boolean includesStopped;

    /**
     * Read the main file and parse it into {@code root}, following includes.
     *
     * @param root    the scope the file's statements go into.
     * @param display the file's name for messages.
     * @param file    the file.
     */
    void parseMain(final ConfigNode root, final String display, final Path file)
    {
        final String text;
        final Path identity;
        try
        {
            identity = file.toRealPath();
            text = readText(file, display, null);
        }
        catch (final IOException | RuntimeException ex)
        {
            includeError(new ConfigError(display, 1, 1, "cannot read configuration file: " + ex));
            return;
        }
        if (text != null)
        {
            final Path parent = file.getParent();
            parseTop(root, display, text, parent == null ? Path.of("") : parent, identity);
        }
    }

    /**
     * Parse a file's text into {@code root}, following includes. The text counts against
     * {@link #MAX_TOTAL_BYTES}.
     *
     * @param root     the scope the file's statements go into.
     * @param display  the file's name for messages.
     * @param text     the file's text.
     * @param baseDir  directory relative includes are resolved against.
     * @param identity the file's absolute path, for include-cycle detection.
     */
    void parseMainText(final ConfigNode root, final String display, final String text, final Path baseDir,
        final Path identity)
    {
        totalBytes += utf8Length(text);
        if (totalBytes > MAX_TOTAL_BYTES)
        {
            includeError(new ConfigError(display, 1, 1, tooLarge(display)));
            return;
        }
        parseTop(root, display, text, baseDir, identity);
    }

    private void parseTop(final ConfigNode root, final String display, final String text, final Path baseDir,
        final Path identity)
    {
        try
        {
            parseText(root, display, text, baseDir, identity);
        }
        catch (final LoadLimitException ex)
        {
            // reported where it happened; every file on the include stack is abandoned
        }
    }

    private void parseText(final ConfigNode root, final String display, final String text, final Path baseDir,
        final Path identity)
    {
        includeStack.push(new Frame(identity, display));
        final int outerDepth = depth;
        try
        {
            statements(root, new ConfigLexer(display, text), baseDir, null);
        }
        catch (final ConfigSyntaxException ex)
        {
            // the rest of this file cannot be trusted; the including file carries on
            errors.add(ex.error);
            structural = true;
        }
        finally
        {
            depth = outerDepth;
            includeStack.pop();
        }
    }

    /** @return every error found so far, in order (at most {@link ConfigErrors#MAX_ERRORS} kept). */
    ConfigErrors errors()
    {
        return errors;
    }

    /**
     * @return true when a syntax or include error means the tree is incomplete, so validating it would only
     *         add misleading errors.
     */
    boolean structuralErrors()
    {
        return structural;
    }

    private void statements(final ConfigNode scope, final ConfigLexer lexer, final Path baseDir,
        final ConfigToken openedBy)
    {
        while (true)
        {
            final ConfigToken t = lexer.next();
            switch (t.kind)
            {
                case EOF:
                    if (openedBy != null)
                    {
                        throw new ConfigSyntaxException(openedBy.error(
                            "missing closing '}' for scope '" + openedBy.text + "' before end of file"));
                    }
                    return;
                case RBRACE:
                    if (openedBy != null)
                    {
                        return;
                    }
                    throw new ConfigSyntaxException(t.error("unexpected '}' with no open scope"));
                case WORD:
                    statement(scope, t, lexer, baseDir);
                    break;
                default:
                    throw new ConfigSyntaxException(t.error(
                        "expected an option or scope name, found " + t.describe()));
            }
        }
    }

    private void statement(final ConfigNode scope, final ConfigToken name, final ConfigLexer lexer,
        final Path baseDir)
    {
        count(name);
        final String lower = name.text.toLowerCase(Locale.ROOT);
        final ConfigToken next = lexer.next();
        if (("include".equals(lower) || "readonly_include".equals(lower)) &&
            (next.kind == ConfigToken.Kind.STRING || next.kind == ConfigToken.Kind.WORD))
        {
            include(scope, next, baseDir);
            return;
        }
        switch (next.kind)
        {
            case EQUALS:
                final ConfigValue value = value(lexer, name, true);
                final ConfigNode.Option previous = scope.addOption(name, value);
                if (previous != null)
                {
                    errors.add(name.error("duplicate option '" + lower + "' (first set at " +
                        previous.nameToken().where() + ")"));
                }
                return;
            case LBRACE:
                enter(name, "scope '" + name.text + "'");
                statements(scope.openScope(name, null), lexer, baseDir, name);
                depth--;
                return;
            case STRING:
            case WORD:
                final ConfigToken brace = lexer.next();
                if (brace.kind == ConfigToken.Kind.LBRACE)
                {
                    enter(name, "scope '" + name.text + "'");
                    statements(scope.openScope(name, next), lexer, baseDir, name);
                    depth--;
                    return;
                }
                if (next.kind == ConfigToken.Kind.STRING)
                {
                    // name "arg" is a named scope missing its brace
                    throw new ConfigSyntaxException(brace.error("expected '{' after " + name.text + " \"" +
                        next.text + "\", found " + brace.describe()));
                }
                throw new ConfigSyntaxException(next.error(
                    "expected '=' or '{' after '" + name.text + "', found " + next.describe()));
            default:
                // at end of file the column is past the last line: point at the dangling name instead
                throw new ConfigSyntaxException((next.kind == ConfigToken.Kind.EOF ? name : next).error(
                    "expected '=' or '{' after '" + name.text + "', found " + next.describe()));
        }
    }

    private ConfigValue value(final ConfigLexer lexer, final ConfigToken owner, final boolean option)
    {
        final ConfigToken t = lexer.next();
        count(t);
        final String what = option ? "'" + owner.text + "'" : "map key '" + owner.text + "'";
        switch (t.kind)
        {
            case WORD:
                if (option && lexer.peek().kind == ConfigToken.Kind.EQUALS)
                {
                    // "port =" followed by the next option: the value was left out
                    throw new ConfigSyntaxException(t.error("missing value for " + what +
                        ": found the next option '" + t.text + " =' instead"));
                }
                return ConfigValue.scalar(t);
            case STRING:
                return ConfigValue.scalar(t);
            case LPAREN:
                enter(t, "list");
                final ConfigValue list = list(lexer, t);
                depth--;
                return list;
            case LBRACKET:
                enter(t, "map");
                final ConfigValue map = map(lexer, t);
                depth--;
                return map;
            default:
                throw new ConfigSyntaxException(t.error("missing value for " + what +
                    ": expected a word, string, list or map, found " + t.describe()));
        }
    }

    private ConfigValue list(final ConfigLexer lexer, final ConfigToken open)
    {
        final List<ConfigValue> items = new ArrayList<>();
        while (true)
        {
            final ConfigToken t = lexer.peek();
            switch (t.kind)
            {
                case RPAREN:
                    lexer.next();
                    return ConfigValue.list(open, items);
                case COMMA:
                    lexer.next();
                    break;
                case WORD:
                case STRING:
                case LPAREN:
                case LBRACKET:
                    items.add(value(lexer, open, false));
                    break;
                case EOF:
                    throw new ConfigSyntaxException(open.error(
                        "unterminated list: missing ')' before end of file"));
                default:
                    throw new ConfigSyntaxException(t.error(
                        "expected a value, ',' or ')' in list, found " + t.describe()));
            }
        }
    }

    private ConfigValue map(final ConfigLexer lexer, final ConfigToken open)
    {
        final List<ConfigValue.Entry> entries = new ArrayList<>();
        while (true)
        {
            final ConfigToken t = lexer.next();
            switch (t.kind)
            {
                case RBRACKET:
                    return ConfigValue.map(open, entries);
                case COMMA:
                    break;
                case WORD:
                case STRING:
                    final ConfigToken eq = lexer.next();
                    if (eq.kind == ConfigToken.Kind.EOF)
                    {
                        throw unterminatedMap(open);
                    }
                    if (eq.kind != ConfigToken.Kind.EQUALS)
                    {
                        throw new ConfigSyntaxException(eq.error(
                            "expected '=' after map key '" + t.text + "', found " + eq.describe()));
                    }
                    if (lexer.peek().kind == ConfigToken.Kind.EOF)
                    {
                        throw unterminatedMap(open);
                    }
                    entries.add(new ConfigValue.Entry(t, value(lexer, t, false)));
                    break;
                case EOF:
                    throw unterminatedMap(open);
                default:
                    throw new ConfigSyntaxException(t.error(
                        "expected a map key, ',' or ']' in map, found " + t.describe()));
            }
        }
    }

    /**
     * One level deeper; a syntax error past {@link #MAX_DEPTH}, so that no input can overflow the stack. A syntax
     * error unwinds the file and {@link #parseText} restores the depth, so only normal returns decrement.
     */
    private void enter(final ConfigToken at, final String what)
    {
        if (++depth > MAX_DEPTH)
        {
            throw new ConfigSyntaxException(at.error(what + " is nested too deeply: more than " + MAX_DEPTH +
                " levels of scopes, lists and maps (includes count as the scope they are in); flatten the " +
                "configuration"));
        }
    }

    /** One more statement or value held in memory; past {@link #MAX_ELEMENTS} the load stops with an error. */
    private void count(final ConfigToken at)
    {
        if (++elements > MAX_ELEMENTS)
        {
            includeError(at.error("configuration too large: more than " + MAX_ELEMENTS + " options, scopes, " +
                "includes, list items and map entries in all files together; remove unneeded content"));
            throw new LoadLimitException();
        }
    }

    private static ConfigSyntaxException unterminatedMap(final ConfigToken open)
    {
        return new ConfigSyntaxException(open.error("unterminated map: missing ']' before end of file"));
    }

    private void include(final ConfigNode scope, final ConfigToken pathToken, final Path baseDir)
    {
        if (includesStopped)
        {
            // a bound was already reported once; the tree is incomplete and will not be validated
            return;
        }
        final Path target;
        try
        {
            target = baseDir.resolve(pathToken.text).normalize();
        }
        catch (final InvalidPathException ex)
        {
            // e.g. a NUL in the name; the reason only, as the input is in the token already
            includeError(pathToken.error("invalid include path " + pathToken.describe() + ": " + ex.getReason()));
            return;
        }
        if (Files.isDirectory(target))
        {
            final List<Path> files;
            try (Stream<Path> list = Files.list(target))
            {
                // Momentum's rule: regular files only, no recursion, and no hidden files (editor and VCS leftovers)
                files = list.filter(p -> !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p))
                    .sorted().toList();
            }
            catch (final IOException | RuntimeException ex)
            {
                includeError(pathToken.error("cannot read include directory " + display(target) + ": " + ex));
                return;
            }
            for (final Path file : files)
            {
                if (includesStopped)
                {
                    return;
                }
                includeFile(scope, pathToken, file);
            }
        }
        else if (Files.isRegularFile(target))
        {
            includeFile(scope, pathToken, target);
        }
        else
        {
            includeError(pathToken.error("include file not found: " + display(target)));
        }
    }

    private void includeFile(final ConfigNode scope, final ConfigToken pathToken, final Path file)
    {
        if (++includedFiles > MAX_INCLUDED_FILES)
        {
            includeError(pathToken.error("too many included files: more than " + MAX_INCLUDED_FILES +
                " in all, at " + display(file) + "; include fewer or larger files"));
            includesStopped = true;
            return;
        }
        final Path identity;
        final String text;
        try
        {
            identity = file.toRealPath();
            text = readText(file, display(file), pathToken);
        }
        catch (final IOException | RuntimeException ex)
        {
            includeError(pathToken.error("cannot read include file " + display(file) + ": " + ex.getMessage()));
            return;
        }
        if (text == null)
        {
            return;
        }
        final List<Frame> stack = new ArrayList<>(includeStack);
        for (int i = 0; i < stack.size(); i++)
        {
            if (stack.get(i).identity().equals(identity))
            {
                // the stack is innermost first: print the chain outermost first, ending at the repeat
                final StringBuilder chain = new StringBuilder();
                for (int j = i; j >= 0; j--)
                {
                    chain.append(stack.get(j).display()).append(" -> ");
                }
                includeError(pathToken.error("include cycle: " + chain + display(file)));
                return;
            }
        }
        final Path parent = file.getParent();
        parseText(scope, display(file), text, parent == null ? Path.of("") : parent, identity);
    }

    /**
     * Read a file as UTF-8, at most what is left of {@link #MAX_TOTAL_BYTES} (a file that grows, or a device,
     * cannot make the read unbounded).
     *
     * @param includedAt the include's path token, or null for the main file.
     * @return the text, or null when an error was recorded.
     */
    private String readText(final Path file, final String display, final ConfigToken includedAt) throws IOException
    {
        final long left = MAX_TOTAL_BYTES - totalBytes;
        final byte[] bytes;
        try (InputStream in = Files.newInputStream(file))
        {
            bytes = in.readNBytes((int)left + 1);
        }
        if (bytes.length > left)
        {
            includeError(includedAt == null ? new ConfigError(display, 1, 1, tooLarge(display)) :
                includedAt.error(tooLarge(display)));
            includesStopped = true;
            return null;
        }
        totalBytes += bytes.length;
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        final CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError())
        {
            result = decoder.flush(out);
        }
        if (result.isError())
        {
            includeError(notUtf8(display, out.flip().toString(), bytes[in.position()]));
            return null;
        }
        return out.flip().toString();
    }

    /** The error at the first byte that is not UTF-8, located like the lexer locates tokens. */
    private static ConfigError notUtf8(final String display, final String before, final byte bad)
    {
        final int lastNewline = before.lastIndexOf('\n');
        int line = 1;
        for (int i = 0; i < before.length(); i++)
        {
            line += before.charAt(i) == '\n' ? 1 : 0;
        }
        // the lexer drops a byte order mark, so it does not count as a column
        final int bom = line == 1 && before.startsWith("\uFEFF") ? 1 : 0;
        final int column = before.length() - (lastNewline + 1) - bom + 1;
        return new ConfigError(display, line, column, String.format("invalid UTF-8 byte 0x%02X; configuration " +
            "files must be UTF-8 text", bad & 0xFF));
    }

    private static String tooLarge(final String display)
    {
        return "configuration too large: reading " + display + " would take the text read to more than " +
            MAX_TOTAL_BYTES + " bytes (16 MiB) in all files together; remove unneeded includes or content";
    }

    private static long utf8Length(final String text)
    {
        long n = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < 0x80)
            {
                n++;
            }
            else if (c < 0x800)
            {
                n += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < text.length() &&
                Character.isLowSurrogate(text.charAt(i + 1)))
            {
                n += 4;
                i++;
            }
            else
            {
                n += 3;
            }
        }
        return n;
    }

    private void includeError(final ConfigError error)
    {
        errors.add(error);
        structural = true;
    }

    private static String display(final Path path)
    {
        final String s = path.toString();
        return s.isEmpty() ? "." : s;
    }
}
