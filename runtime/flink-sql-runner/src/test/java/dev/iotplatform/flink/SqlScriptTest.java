package dev.iotplatform.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlScriptTest {
    @Test
    void splitsOnTopLevelSemicolonsAndDropsBlankStatements() {
        assertEquals(List.of("CREATE TABLE a (x INT)", "INSERT INTO a VALUES (1)"),
                SqlScript.split("\n\nCREATE TABLE a (x INT);\n;\n  INSERT INTO a VALUES (1);\n\n  \n"));
    }

    @Test
    void keepsAMissingFinalSemicolon() {
        assertEquals(List.of("SELECT 1", "SELECT 2"), SqlScript.split("SELECT 1;\nSELECT 2\n"));
    }

    @Test
    void quotesHideSemicolonsAndDashes() {
        String sql = "INSERT INTO t VALUES ('a;b', 'it''s -- no comment', '/* no */');\nSELECT `we;ird``x` FROM t";
        assertEquals(List.of("INSERT INTO t VALUES ('a;b', 'it''s -- no comment', '/* no */')",
                "SELECT `we;ird``x` FROM t"), SqlScript.split(sql));
    }

    @Test
    void dropsCommentsButKeepsHints() {
        String sql = "-- header; not a statement\nSELECT a -- trailing; comment\nFROM t /* block; */ WHERE b = 1;\n"
                + "SELECT * FROM t /*+ OPTIONS('k'='v;') */;\n-- trailing comment only";
        assertEquals(List.of("SELECT a \nFROM t   WHERE b = 1", "SELECT * FROM t /*+ OPTIONS('k'='v;') */"),
                SqlScript.split(sql));
    }

    @Test
    void setStatementsAreOrdinaryStatements() {
        assertEquals(List.of("SET 'execution.checkpointing.interval' = '1 s'", "SET 'pipeline.name' = 'a;b'"),
                SqlScript.split("SET 'execution.checkpointing.interval' = '1 s';\nset 'pipeline.name' = 'a;b';")
                        .stream().map(s -> s.replaceFirst("^set", "SET")).toList());
    }

    @Test
    void statementSetIsOneStatementEvenWithCaseEnd() {
        String sql = "SET 'a' = 'b';\nexecute statement set\nbegin\n"
                + "  INSERT INTO x SELECT CASE WHEN v > 0 THEN 'pos;' ELSE 'neg' END FROM s;\n"
                + "  INSERT INTO y SELECT * FROM s;\nend;\nSELECT 1";
        List<String> statements = SqlScript.split(sql);
        assertEquals(3, statements.size());
        assertEquals(List.of("INSERT INTO x SELECT CASE WHEN v > 0 THEN 'pos;' ELSE 'neg' END FROM s",
                "INSERT INTO y SELECT * FROM s"), SqlScript.statementSetBody(statements.get(1)));
        assertNull(SqlScript.statementSetBody(statements.get(2)));
    }

    @Test
    void legacyBeginStatementSetForm() {
        List<String> statements = SqlScript.split("BEGIN STATEMENT SET;\nINSERT INTO x SELECT 1;\nEND;");
        assertEquals(1, statements.size());
        assertEquals(List.of("INSERT INTO x SELECT 1"), SqlScript.statementSetBody(statements.get(0)));
    }

    @Test
    void substitutesEnvironmentWithDefaults() {
        Map<String, String> env = Map.of("TOPIC", "events", "EMPTY", "");
        assertEquals("'events' 'localhost:9092' 'x' '' $notavar",
                SqlScript.substituteEnv("'${TOPIC}' '${BROKERS:-localhost:9092}' '${EMPTY:-x}' '${EMPTY}' $notavar", env));
    }

    @Test
    void missingEnvironmentVariableIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SqlScript.substituteEnv("WITH ('topic' = '${KAFKA_TOPIC}')", Map.of()));
        assertEquals("missing environment variable KAFKA_TOPIC (set it, or write ${KAFKA_TOPIC:-default})", e.getMessage());
    }
}
