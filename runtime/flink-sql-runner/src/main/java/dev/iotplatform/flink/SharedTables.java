package dev.iotplatform.flink;

import dev.iotplatform.flink.SqlRunner.ScriptException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.ddl.CreateTableOperation;
import org.apache.flink.table.operations.ddl.CreateViewOperation;

/**
 * The project's shared table definitions ({@code --tables <directory>}: its *.sql in name order), written once
 * and executed into every job's TableEnvironment before the job's own script. They hold only CREATE TABLE and
 * CREATE VIEW statements; a job that defines one of their names again fails, naming both files.
 */
final class SharedTables {
    private static final Pattern CREATE = Pattern.compile("(?is)CREATE\\s.*");

    /** One statement of a shared file, {@code ${VAR}}s already substituted. */
    record Statement(Path file, int number, String sql) {
        String where() {
            return file + ":statement#" + number;
        }
    }

    static final SharedTables NONE = new SharedTables(List.of());

    private final List<Statement> statements;

    private SharedTables(List<Statement> statements) {
        this.statements = statements;
    }

    int size() {
        return statements.size();
    }

    /** A directory that does not exist means no shared tables (a project without any); a file is a usage error. */
    static SharedTables load(Path dir, Map<String, String> env) throws IOException, ScriptException {
        if (dir == null || !Files.exists(dir)) return NONE;
        if (!Files.isDirectory(dir)) throw new IOException("--tables: not a directory: " + dir);
        List<Path> files;
        try (Stream<Path> children = Files.list(dir)) {
            files = children.filter(p -> p.toString().endsWith(".sql") && Files.isRegularFile(p)).sorted().toList();
        }
        List<Statement> statements = new ArrayList<>();
        for (Path file : files) {
            List<String> sql;
            try {
                sql = SqlScript.split(SqlScript.substituteEnv(Files.readString(file), env));
            } catch (IllegalArgumentException e) {
                throw new ScriptException(file + ": " + e.getMessage());
            }
            for (int i = 0; i < sql.size(); i++) statements.add(new Statement(file, i + 1, sql.get(i)));
        }
        return new SharedTables(statements);
    }

    /** Executes every definition into the job's environment; returns which file defined each name. */
    Map<ObjectIdentifier, Path> define(TableEnvironment tEnv) throws ScriptException {
        Map<ObjectIdentifier, Path> defined = new HashMap<>();
        for (Statement statement : statements) {
            Optional<ObjectIdentifier> parsed;
            try {
                parsed = definedName(tEnv, statement.sql());
            } catch (ScriptException e) {
                throw new ScriptException(statement.where() + ": " + e.getMessage());
            }
            ObjectIdentifier name = parsed.orElseThrow(() -> new ScriptException(statement.where()
                    + ": shared table files hold only CREATE TABLE and CREATE VIEW statements; move this one into a job script"));
            rejectRedefinition(defined, name, statement.where());
            try {
                tEnv.executeSql(statement.sql());
            } catch (Exception e) {
                throw new ScriptException(statement.where() + ": " + SqlRunner.describe(e));
            }
            defined.put(name, statement.file());
        }
        return defined;
    }

    /** A job statement that defines a name the shared files already define fails, naming both files. */
    static void checkJobStatement(TableEnvironment tEnv, Map<ObjectIdentifier, Path> shared, String statement, String where)
            throws ScriptException {
        if (shared.isEmpty() || !CREATE.matcher(statement).matches()) return;
        Optional<ObjectIdentifier> name;
        try {
            name = definedName(tEnv, statement);
        } catch (ScriptException e) {
            return; // not parseable here: running the statement reports the error
        }
        if (name.isPresent()) rejectRedefinition(shared, name.get(), where);
    }

    private static void rejectRedefinition(Map<ObjectIdentifier, Path> defined, ObjectIdentifier name, String where)
            throws ScriptException {
        Path first = defined.get(name);
        if (first != null) {
            throw new ScriptException(where + ": " + name.getObjectName() + " is already defined in " + first
                    + "; define each table once, in the shared table files or in one job");
        }
    }

    /** The table or view a CREATE TABLE (not CREATE TABLE … AS) or CREATE VIEW statement defines. */
    private static Optional<ObjectIdentifier> definedName(TableEnvironment tEnv, String statement) throws ScriptException {
        List<Operation> operations;
        try {
            operations = ((TableEnvironmentInternal) tEnv).getParser().parse(statement);
        } catch (Exception e) {
            throw new ScriptException(SqlRunner.describe(e));
        }
        if (operations.size() != 1) return Optional.empty();
        Operation operation = operations.get(0);
        if (operation instanceof CreateTableOperation table) return Optional.of(table.getTableIdentifier());
        if (operation instanceof CreateViewOperation view) return Optional.of(view.getViewIdentifier());
        return Optional.empty();
    }
}
