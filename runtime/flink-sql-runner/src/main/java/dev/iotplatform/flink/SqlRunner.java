package dev.iotplatform.flink;

import dev.iotplatform.flink.functions.PlatformFunctions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;
import org.apache.flink.core.plugin.PluginManager;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs (or, with --validate, plans) Flink SQL scripts in argument order; a directory contributes its *.sql
 * in name order. Each file is one job with its own TableEnvironment, so its SET statements apply to it alone.
 * With --tables, the shared table definitions of that directory are executed into every job's environment
 * before the job's script (SharedTables).
 */
public final class SqlRunner {
    static final String USAGE = "usage: SqlRunner [--validate] [--tables <directory>] <script.sql | directory>...";
    static final String CHECKPOINT_INTERVAL = "execution.checkpointing.interval";
    static final String OBJECT_REUSE = "pipeline.object-reuse";
    static final String CHECKPOINT_WRITE_BUFFER = "execution.checkpointing.write-buffer-size";
    static final String RUNTIME_MODE = "execution.runtime-mode";
    static final String PROPERTIES = "FLINK_PROPERTIES";
    static final String PLUGINS_DIR = "FLINK_PLUGINS_DIR";
    private static final Logger LOG = LoggerFactory.getLogger(SqlRunner.class);
    private static final Pattern SET = Pattern.compile("(?is)SET(?:\\s+'((?:[^']|'')*)'\\s*=\\s*'((?:[^']|'')*)')?");
    private static final Pattern RESET = Pattern.compile("(?is)RESET(?:\\s+'((?:[^']|'')*)')?");
    private static final Pattern INSERT = Pattern.compile("(?is)INSERT\\s.*");
    private static final Pattern QUERY = Pattern.compile("(?is)(SELECT|WITH|VALUES)\\s.*");

    private SqlRunner() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.err));
    }

    /** Returns the exit code: 0 ok, 1 a statement or job failed, 2 usage error. */
    public static int run(String[] args, Map<String, String> env, PrintStream err) {
        Options options;
        List<Path> files = new ArrayList<>();
        SharedTables tables;
        try {
            options = Options.parse(args);
            for (String target : options.targets()) files.addAll(scripts(Path.of(target)));
            tables = SharedTables.load(options.tables(), env);
        } catch (IOException e) {
            err.println(e.getMessage() + "\n" + USAGE);
            return 2;
        } catch (ScriptException e) {
            err.println(e.getMessage());
            return 1;
        }
        boolean validate = options.validate();
        if (options.tables() != null) LOG.info("{}: {} shared table definitions", options.tables(), tables.size());
        List<TableResult> jobs = new ArrayList<>();
        MiniCluster cluster = null;
        try {
            boolean local = !validate && StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment;
            Configuration base = baseConfiguration(env, local);
            if (local) {
                initializeFileSystems(base, env);
                cluster = startLocalCluster(base, files.size(), env);
            }
            for (Path file : files) {
                runFile(file, env, base, validate, tables, jobs);
            }
            for (TableResult job : local ? jobs : List.<TableResult>of()) {
                job.await(); // a local MiniCluster lives only as long as this JVM
            }
            return 0;
        } catch (Exception e) {
            err.println(e instanceof ScriptException ? e.getMessage() : "job failed: " + describe(e));
            return 1;
        } finally {
            if (cluster != null) cluster.closeAsync().join();
        }
    }

    /** The command line: {@code [--validate] [--tables <directory>] <script.sql | directory>...}. */
    record Options(boolean validate, Path tables, List<String> targets) {
        static Options parse(String[] args) throws IOException {
            boolean validate = false;
            Path tables = null;
            List<String> targets = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--validate")) {
                    validate = true;
                } else if (args[i].equals("--tables")) {
                    if (i + 1 == args.length || args[i + 1].startsWith("-")) throw new IOException("--tables needs a directory");
                    tables = Path.of(args[++i]);
                } else if (args[i].startsWith("-")) {
                    throw new IOException("unknown option " + args[i]);
                } else {
                    targets.add(args[i]);
                }
            }
            if (targets.isEmpty()) throw new IOException("expected a script or directory");
            return new Options(validate, tables, targets);
        }
    }

    /**
     * Locally, one MiniCluster (one JobManager, one TaskManager, one REST endpoint) runs every job of the
     * invocation: a JVM per job would pay the engine's fixed cost once per job. Jobs are submitted to it
     * like to any remote cluster.
     */
    static MiniCluster startLocalCluster(Configuration base, int jobCount, Map<String, String> env) throws Exception {
        int slots = Integer.parseInt(env.getOrDefault("FLINK_TASK_SLOTS", String.valueOf(Math.max(4, jobCount * 4))));
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(new Configuration(base))
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
        cluster.start();
        URI rest = cluster.getRestAddress().get();
        base.setString("execution.target", "remote");
        base.setString("rest.address", rest.getHost());
        base.setString("rest.port", String.valueOf(rest.getPort()));
        LOG.info("local cluster with {} slots, REST at {}", slots, rest);
        return cluster;
    }

    static List<Path> scripts(Path target) throws IOException {
        if (!Files.isDirectory(target)) {
            if (!Files.isRegularFile(target)) throw new IOException("no such file or directory: " + target);
            return List.of(target);
        }
        try (Stream<Path> children = Files.list(target)) {
            List<Path> files = children.filter(p -> p.toString().endsWith(".sql") && Files.isRegularFile(p)).sorted().toList();
            if (files.isEmpty()) throw new IOException("no *.sql files in " + target);
            return files;
        }
    }

    /**
     * Locally, the file systems (file://, and s3:// once FLINK_PLUGINS_DIR holds the S3 plugin) are configured
     * from the same settings as the cluster (s3.endpoint, s3.access-key …), as a Flink process does at start:
     * a MiniCluster does not. Plugins load from FLINK_PLUGINS_DIR (one folder per plugin), as in Flink's image.
     */
    static void initializeFileSystems(Configuration conf, Map<String, String> env) throws IOException {
        String dir = env.get(PLUGINS_DIR);
        PluginManager plugins = dir == null || dir.isBlank()
                ? null
                : new DefaultPluginManager(new DirectoryBasedPluginFinder(Path.of(dir)).findPlugins(),
                        CoreOptions.getPluginParentFirstLoaderPatterns(conf));
        FileSystem.initialize(conf, plugins);
    }

    /**
     * Flink settings given as the Flink image takes them, in FLINK_PROPERTIES: one {@code key: value} per line
     * (blank lines and {@code #} comments skipped). A line without a colon fails naming its number only (values may
     * be secrets).
     */
    static void applyProperties(Configuration conf, String properties) throws IOException {
        if (properties == null) return;
        List<String> lines = properties.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int colon = line.indexOf(':');
            if (colon <= 0) throw new IOException(PROPERTIES + " line " + (i + 1) + ": expected `key: value`");
            conf.setString(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        }
    }

    /**
     * Engine settings from the environment; local runs also get FLINK_PROPERTIES (a cluster of the image read them
     * at its start), a loopback REST endpoint and a temp checkpoint dir.
     */
    static Configuration baseConfiguration(Map<String, String> env, boolean local) throws IOException {
        Configuration conf = new Configuration();
        if (local) {
            applyProperties(conf, env.get(PROPERTIES));
        } else {
            // A cluster of the image read FLINK_PROPERTIES at its start; the runner needs the checkpoint folder to
            // find what a restarted job resumes from.
            Configuration cluster = new Configuration();
            applyProperties(cluster, env.get(PROPERTIES));
            setIfPresent(conf, Checkpoints.DIR, cluster.getString(Checkpoints.DIR, null));
        }
        setIfPresent(conf, "parallelism.default", env.get("FLINK_PARALLELISM"));
        setIfPresent(conf, "state.backend.type", env.get("FLINK_STATE_BACKEND")); // hashmap | rocksdb
        setIfPresent(conf, "execution.checkpointing.dir", env.get("FLINK_CHECKPOINT_DIR"));
        if (local) {
            conf.setString("rest.address", "127.0.0.1");
            conf.setString("rest.bind-address", "127.0.0.1");
            conf.setString("rest.bind-port", env.getOrDefault("FLINK_REST_PORT", "0"));
            if (!env.containsKey("FLINK_CHECKPOINT_DIR")) {
                Path dir = Files.createTempDirectory("flink-checkpoints");
                conf.setString("execution.checkpointing.dir", dir.toUri().toString());
            }
        }
        return conf;
    }

    /** A fresh environment per file. The runtime mode is fixed at creation, so a script's SET of it is read first. */
    static TableEnvironment createEnvironment(Path file, Configuration base, List<String> statements) {
        Configuration conf = new Configuration(base);
        for (String statement : statements) {
            Matcher set = SET.matcher(statement);
            if (set.matches() && RUNTIME_MODE.equals(set.group(1))) conf.setString(RUNTIME_MODE, set.group(2));
        }
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.newInstance().withConfiguration(conf).build());
        applyFileDefaults(tEnv, file);
        PlatformFunctions.register(tEnv);
        return tEnv;
    }

    /**
     * DESIGN: checkpointing on in every job. Chained operators hand rows on without copying them: the planner's
     * operators and connectors copy what they keep, and a row that fans out to several sinks (a statement set)
     * was copied once per sink otherwise (a third of the RICH filter's time). Checkpoint files are written through a
     * 256 KiB buffer, not Flink's 4 KiB: a job that checkpoints every second writes its whole heap state each time
     * (sensors' enrichment: 15 MiB after a load of 2,500 devices), and its write calls were most of the snapshot's
     * CPU. A script's own SET comes later and wins.
     */
    private static void applyFileDefaults(TableEnvironment tEnv, Path file) {
        Configuration conf = tEnv.getConfig().getConfiguration();
        if (!conf.containsKey("pipeline.name")) conf.setString("pipeline.name", file.getFileName().toString());
        if (!conf.containsKey(CHECKPOINT_INTERVAL)) conf.setString(CHECKPOINT_INTERVAL, "10 s");
        if (!conf.containsKey(OBJECT_REUSE)) conf.setString(OBJECT_REUSE, "true");
        if (!conf.containsKey(CHECKPOINT_WRITE_BUFFER)) conf.setString(CHECKPOINT_WRITE_BUFFER, String.valueOf(256 * 1024));
    }

    static void runFile(Path file, Map<String, String> env, Configuration base, boolean validate, SharedTables tables,
            List<TableResult> jobs) throws IOException, ScriptException {
        List<String> statements;
        try {
            statements = SqlScript.split(SqlScript.substituteEnv(Files.readString(file), env));
        } catch (IllegalArgumentException e) {
            throw new ScriptException(file + ": " + e.getMessage());
        }
        TableEnvironment tEnv = createEnvironment(file, base, statements);
        Map<ObjectIdentifier, Path> shared = tables.define(tEnv);
        StatementSet inserts = tEnv.createStatementSet();
        int firstInsert = 0;
        for (int i = 0; i < statements.size(); i++) {
            String statement = statements.get(i);
            LOG.info("{}:statement#{}: {}", file, i + 1, statement.lines().findFirst().orElse(""));
            SharedTables.checkJobStatement(tEnv, shared, statement, file + ":statement#" + (i + 1));
            try {
                List<String> body = SqlScript.statementSetBody(statement);
                for (String insert : body != null ? body : INSERT.matcher(statement).matches() ? List.of(statement) : List.<String>of()) {
                    if (validate) tEnv.explainSql(insert); else inserts.addInsertSql(insert);
                    firstInsert = firstInsert == 0 ? i + 1 : firstInsert;
                }
                if (body == null && !INSERT.matcher(statement).matches()) {
                    execute(tEnv, file, statement, validate);
                }
            } catch (Exception e) {
                throw new ScriptException(file + ":statement#" + (i + 1) + ": " + describe(e));
            }
        }
        if (firstInsert > 0 && !validate) {
            try {
                resumeFromCheckpoint(tEnv.getConfig().getConfiguration(), env);
                TableResult job = inserts.execute();
                LOG.info("{}: submitted job {}", file, job.getJobClient().map(c -> c.getJobID().toString()).orElse("?"));
                jobs.add(job);
            } catch (Exception e) {
                throw new ScriptException(file + ":statement#" + firstInsert + ": " + describe(e));
            }
        }
    }

    /**
     * DESIGN: state survives restarts. With a checkpoint folder (FLINK_CHECKPOINT_DIR, or execution.checkpointing.dir
     * in FLINK_PROPERTIES), each job checkpoints under its own name, keeps its checkpoints when it stops, and a
     * restarted job resumes from the newest one of its name. FLINK_RESTORE=none starts afresh (after a change of
     * the job's SQL that its state no longer fits). A recovery path set by the cluster (the Kubernetes operator's
     * last-state upgrades) is left alone.
     */
    static void resumeFromCheckpoint(Configuration conf, Map<String, String> env) throws IOException {
        String dir = conf.getString(Checkpoints.DIR, null);
        if (dir == null) return;
        String jobDir = Checkpoints.jobDir(dir, conf.getString("pipeline.name", "job"));
        conf.setString(Checkpoints.DIR, jobDir);
        conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        if ("none".equals(env.get("FLINK_RESTORE")) || conf.containsKey(Checkpoints.RECOVERY_PATH)) return;
        Optional<String> latest = Checkpoints.latest(jobDir);
        if (latest.isPresent()) {
            LOG.info("{}: resuming from checkpoint {} (FLINK_RESTORE=none starts afresh)", conf.getString("pipeline.name", "job"), latest.get());
            conf.setString(Checkpoints.RECOVERY_PATH, latest.get());
        }
    }

    private static void execute(TableEnvironment tEnv, Path file, String statement, boolean validate) {
        Matcher set = SET.matcher(statement);
        Matcher reset = RESET.matcher(statement);
        Configuration conf = tEnv.getConfig().getConfiguration();
        if (set.matches()) {
            if (set.group(1) != null) conf.setString(unquote(set.group(1)), unquote(set.group(2)));
        } else if (reset.matches()) {
            if (reset.group(1) != null) {
                conf.removeKey(unquote(reset.group(1)));
            } else {
                conf.keySet().forEach(conf::removeKey);
            }
            applyFileDefaults(tEnv, file);
        } else if (validate && QUERY.matcher(statement).matches()) {
            tEnv.explainSql(statement);
        } else {
            tEnv.executeSql(statement);
        }
    }

    private static String unquote(String literal) {
        return literal.replace("''", "'");
    }

    private static void setIfPresent(Configuration conf, String key, String value) {
        if (value != null && !value.isBlank()) conf.setString(key, value);
    }

    /** First line of the error, plus the first line of its root cause when that says something else. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String top = firstLine(e), cause = firstLine(root);
        return top.contains(cause) ? top : top + " (caused by: " + cause + ")";
    }

    /** The first line; one ending in ':' ("Missing required options are:") takes up to 5 following lines. */
    static String firstLine(Throwable e) {
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        List<String> lines = message.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return lines.get(0).endsWith(":") && lines.size() > 1
                ? lines.get(0) + " " + String.join(", ", lines.subList(1, Math.min(lines.size(), 6)))
                : lines.get(0);
    }

    /** A failure already phrased as {@code file:statement#N: message}. */
    static final class ScriptException extends Exception {
        ScriptException(String message) {
            super(message);
        }
    }
}
