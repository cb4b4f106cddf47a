package io.msgc.conf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 */
final class ConfigParser
{
    /** A file being parsed: its identity for cycle detection and its name for messages. */
    private record Frame(Path identity, String display)
    {
    }

    private final List<ConfigError> errors = new ArrayList<>();
    private final Deque<Frame> includeStack = new ArrayDeque<>();
    private boolean structural;

    /**
     * Parse a file's text into {@code root}, following includes.
     *
     * @param root     the scope the file's statements go into.
     * @param display  the file's name for messages.
     * @param text     the file's text.
     * @param baseDir  directory relative includes are resolved against.
     * @param identity the file's absolute path, for include-cycle detection.
     */
    void parseFile(final ConfigNode root, final String display, final String text, final Path baseDir,
        final Path identity)
    {
        includeStack.push(new Frame(identity, display));
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
            includeStack.pop();
        }
    }

    /** @return every error found so far, in order. */
    List<ConfigError> errors()
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
                statements(scope.openScope(name, null), lexer, baseDir, name);
                return;
            case STRING:
            case WORD:
                final ConfigToken brace = lexer.next();
                if (brace.kind == ConfigToken.Kind.LBRACE)
                {
                    statements(scope.openScope(name, next), lexer, baseDir, name);
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
                return list(lexer, t);
            case LBRACKET:
                return map(lexer, t);
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

    private static ConfigSyntaxException unterminatedMap(final ConfigToken open)
    {
        return new ConfigSyntaxException(open.error("unterminated map: missing ']' before end of file"));
    }

    private void include(final ConfigNode scope, final ConfigToken pathToken, final Path baseDir)
    {
        final Path target = baseDir.resolve(pathToken.text).normalize();
        if (Files.isDirectory(target))
        {
            final List<Path> files;
            try (Stream<Path> list = Files.list(target))
            {
                files = list.filter(Files::isRegularFile).sorted().toList();
            }
            catch (final IOException ex)
            {
                includeError(pathToken.error("cannot read include directory " + display(target) + ": " + ex));
                return;
            }
            for (final Path file : files)
            {
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
        final Path identity;
        final String text;
        try
        {
            identity = file.toRealPath();
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException | RuntimeException ex)
        {
            includeError(pathToken.error("cannot read include file " + display(file) + ": " + ex.getMessage()));
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
        parseFile(scope, display(file), text, parent == null ? Path.of("") : parent, identity);
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
