package dev.iotplatform.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Pure text handling for SQL scripts: environment substitution and statement splitting. */
public final class SqlScript {
    private static final Pattern ENV_VARIABLE =
            Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final Pattern STATEMENT_SET = Pattern.compile(
            "(?is)^(?:EXECUTE\\s+STATEMENT\\s+SET\\s+BEGIN|BEGIN\\s+STATEMENT\\s+SET\\s*;)(.*)\\bEND$");

    private SqlScript() {}

    /** Replaces {@code ${VAR}} and {@code ${VAR:-default}} (default also when VAR is empty, as in sh). */
    public static String substituteEnv(String text, Map<String, String> env) {
        Matcher m = ENV_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if ((value == null || value.isEmpty()) && m.group(2) != null) {
                value = m.group(2);
            }
            if (value == null) {
                throw new IllegalArgumentException("missing environment variable " + m.group(1)
                        + " (set it, or write ${" + m.group(1) + ":-default})");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }

    /**
     * Splits a script on top-level {@code ;}. Knows '...' literals ('' escapes), "..." and `...`
     * identifiers, {@code --} and {@code /* *}{@code /} comments (dropped, except {@code /*+ hints *}{@code /}),
     * and BEGIN ... END blocks (CASE ... END is told apart). Statements come back trimmed, without ';'.
     */
    public static List<String> split(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int wordStart = -1, blocks = 0, cases = 0, n = script.length();
        for (int i = 0; i <= n; i++) {
            char c = i < n ? script.charAt(i) : ';';
            if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
                wordStart = wordStart < 0 ? i : wordStart;
                current.append(c);
                continue;
            }
            if (wordStart >= 0) {
                String word = script.substring(wordStart, i).toUpperCase(Locale.ROOT);
                blocks += word.equals("BEGIN") ? 1 : 0;
                cases += word.equals("CASE") ? 1 : 0;
                if (word.equals("END")) {
                    if (cases > 0) cases--; else if (blocks > 0) blocks--;
                }
                wordStart = -1;
            }
            char next = i + 1 < n ? script.charAt(i + 1) : '\0';
            int end;
            if (c == '\'' || c == '"' || c == '`') {
                end = closingQuote(script, i, c);
                current.append(script, i, end);
            } else if (c == '-' && next == '-') {
                end = script.indexOf('\n', i);
                end = end < 0 ? n : end; // keep the newline itself
            } else if (c == '/' && next == '*') {
                end = script.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                current.append(i + 2 < n && script.charAt(i + 2) == '+' ? script.substring(i, end) : " ");
            } else {
                if (c == ';' && (blocks == 0 || i == n)) {
                    addStatement(statements, current);
                } else {
                    current.append(c);
                }
                continue;
            }
            i = end - 1;
        }
        return statements;
    }

    /** The inner statements of {@code EXECUTE STATEMENT SET BEGIN ... END}, or null for any other statement. */
    public static List<String> statementSetBody(String statement) {
        Matcher m = STATEMENT_SET.matcher(statement.trim());
        return m.matches() ? split(m.group(1)) : null;
    }

    private static int closingQuote(String s, int open, char quote) {
        for (int j = open + 1; j < s.length(); j++) {
            if (s.charAt(j) == quote) {
                if (j + 1 < s.length() && s.charAt(j + 1) == quote) {
                    j++; // doubled quote is an escape
                } else {
                    return j + 1;
                }
            }
        }
        return s.length(); // unterminated: let Flink report it
    }

    private static void addStatement(List<String> statements, StringBuilder current) {
        String statement = current.toString().strip();
        if (!statement.isEmpty()) {
            statements.add(statement);
        }
        current.setLength(0);
    }
}
