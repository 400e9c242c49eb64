package io.coedit.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coedit.ot.TextOperation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract, held by the H2 store, plus what only a durable store promises:
 * what was committed is there after closing and opening the folder again.
 */
class H2DocumentStoreTest extends DocumentStoreContract {

    @TempDir
    Path folder;

    @Override
    protected DocumentStore openStore() {
        return new H2DocumentStore(folder);
    }

    /** Everything a reader can see of the store, to compare across a reopen. */
    record Contents(List<DocumentSummary> documents, List<List<StoredOp>> histories,
            List<Optional<Snapshot>> snapshots, List<String> texts, List<ChatMessage> chat) {}

    static Contents contents(DocumentStore store, List<String> docIds) {
        return new Contents(store.list(),
                docIds.stream().map(id -> store.ops(id, 0, Long.MAX_VALUE)).toList(),
                docIds.stream().map(id -> store.snapshotAtOrBelow(id, Long.MAX_VALUE)).toList(),
                docIds.stream().map(id -> load(store, id)).toList(),
                docIds.stream().flatMap(id -> store.recentChat(id, 1_000).stream()).toList());
    }

    @Test
    void everythingCommittedIsThereAfterCloseAndReopen() {
        List<String> docIds = List.of("alpha", "beta", "gamma");
        String alpha = randomHistory(store, "alpha", 1, 25);
        String beta = randomHistory(store, "beta", 2, 10);
        store.commit(List.of(inserts("gamma", 0, "c1", 1, "🇫🇷", "中"), inserts("alpha", store.headVersion("alpha"), "c1", 1, "!")));
        alpha = "!" + alpha;
        ChatMessage hello = store.addChat("beta", "u1", "Ada", "hello 👋", 5_000);
        Contents before = contents(store, docIds);
        long alphaHead = store.headVersion("alpha");
        store.close();

        store = new H2DocumentStore(folder);

        assertEquals(before, contents(store, docIds));
        assertEquals(List.of(alpha, beta, "中🇫🇷"), before.texts());
        for (String id : docIds) {
            assertEquals(load(store, id), replay("", store.ops(id, 0, store.headVersion(id))),
                    "snapshot plus replay equals the whole history of " + id);
        }
        assertEquals(alphaHead, store.headVersion("alpha"));
        assertEquals(1, store.lastSeq("alpha", "c1"));
        assertEquals(Optional.of(store.ops("gamma", 1, 2).get(0)), store.findSubmission("gamma", "c1", 2));
        assertEquals(List.of(hello), store.recentChat("beta", 10));
        // The reopened store carries on where the history stopped; chat ids keep growing.
        store.commit(List.of(inserts("gamma", 2, "c2", 1, "→")));
        assertEquals("→中🇫🇷", load(store, "gamma"));
        assertTrue(store.addChat("beta", "u1", "Ada", "again", 6_000).id() > hello.id());
    }

    /**
     * Whether H2 has let go of the database file. In this JVM a second store would simply
     * share a database H2 still held open, so ask the file system: H2 holds a lock on the
     * file while the database is open, and a lock this JVM already holds cannot be taken twice.
     */
    boolean databaseFileIsReleased() throws IOException {
        Path file = folder.resolve(H2Database.DATABASE_NAME + ".mv.db");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock()) {
            return lock != null;
        } catch (OverlappingFileLockException e) {
            return false;
        }
    }

    @Test
    void closingReleasesTheDatabaseFile() throws IOException {
        store.commit(List.of(inserts("doc", 0, "c", 1, "a")));
        assertFalse(databaseFileIsReleased(), "H2 holds the file while the store is open");
        store.close();
        assertTrue(databaseFileIsReleased(), "the file is free once the store is closed");
    }

    /**
     * The point of {@code WRITE_DELAY=0}: another JVM commits and prints each version once
     * its commit has returned, and is killed without warning mid-stream; every version it
     * printed must be in the file. (With H2's default delay, hundreds were lost this way.)
     */
    @Test
    void commitsThatReturnedSurviveAKilledProcess() throws Exception {
        store.close();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = folder.resolve("writer.log");
        Process writer = new ProcessBuilder(java, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName(), folder.toString())
                .redirectError(log.toFile())
                .start();
        long acked = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (acked < CrashingWriter.KILL_AFTER && (line = out.readLine()) != null) {
                acked = Long.parseLong(line.trim());
            }
        } finally {
            writer.destroyForcibly(); // SIGKILL where there is one: no shutdown hooks, no close
            writer.waitFor();
        }
        assertTrue(acked >= CrashingWriter.KILL_AFTER,
                "the writer stopped after " + acked + " commits: " + Files.readString(log));

        store = new H2DocumentStore(folder);

        long head = store.headVersion("crash");
        assertTrue(head >= acked, "acknowledged " + acked + " commits but only " + head + " survived");
        assertEquals("x".repeat((int) head), load(store, "crash"));
    }

    /** The process {@link #commitsThatReturnedSurviveAKilledProcess} kills. */
    static final class CrashingWriter {
        static final long KILL_AFTER = 1_500;

        public static void main(String[] args) {
            DocumentStore store = new H2DocumentStore(Path.of(args[0]));
            for (long version = 0; ; version++) {
                store.commit(List.of(new DocumentCommit("crash", version,
                        List.of(op(version, TextOperation.insert(0, "x"), "writer", version + 1)), null)));
                System.out.println(version + 1);
                System.out.flush();
            }
        }
    }

    @Test
    void theFolderOpensAgainAndAgain() {
        store.commit(List.of(inserts("doc", 0, "c", 1, "a")));
        for (int round = 1; round <= 3; round++) {
            store.close();
            store = new H2DocumentStore(folder); // the migrations, already applied, run no more
            assertEquals(round, store.headVersion("doc"));
            store.commit(List.of(inserts("doc", round, "c", round + 1, "x")));
        }
        assertEquals("xxxa", load(store, "doc"));
        assertEquals(4, store.lastSeq("doc", "c"));
    }

    @Test
    void aMissingFolderIsCreatedAndOnlyAFolderWillDo() throws Exception {
        Path nested = folder.resolve("data/deeper");
        try (H2DocumentStore other = new H2DocumentStore(nested)) {
            other.commit(List.of(inserts("doc", 0, "c", 1, "a")));
            assertTrue(other.folder().isAbsolute());
        }
        assertTrue(Files.exists(nested.resolve(H2Database.DATABASE_NAME + ".mv.db")));

        Path aFile = Files.writeString(folder.resolve("not-a-folder"), "x");
        StoreException e = assertThrows(StoreException.class, () -> new H2DocumentStore(aFile));
        assertTrue(e.getMessage().contains("not-a-folder"), e.getMessage());
    }

    @Test
    void everyUrlKeepsCommitsDurable() {
        String url = H2Database.jdbcUrl(folder.toAbsolutePath());
        assertTrue(url.contains(";WRITE_DELAY=0"), url);
        assertTrue(url.startsWith("jdbc:h2:file:" + folder.toAbsolutePath()), url);
    }

    @Test
    void compactionStopsTheFileGrowingWithEveryCommit() throws Exception {
        // H2 rewrites the pages a commit dirties into a new chunk (~20 KB here for ten
        // documents) and frees an old chunk only once compaction has moved its live pages
        // out and its retention time has passed; retention 0 lets that happen at once.
        try (Connection c = DriverManager.getConnection(H2Database.jdbcUrl(folder.toAbsolutePath()), "sa", "")) {
            c.createStatement().execute("SET RETENTION_TIME 0");
        }
        H2DocumentStore h2 = (H2DocumentStore) store;
        Path file = folder.resolve(H2Database.DATABASE_NAME + ".mv.db");
        int documents = 10;
        long afterWarmUp = 0;
        for (int round = 0; round < 30; round++) {
            for (int k = 0; k < 100; k++) {
                List<DocumentCommit> commits = new java.util.ArrayList<>();
                for (int d = 0; d < documents; d++) {
                    long version = round * 100L + k;
                    commits.add(inserts("doc-" + d, version, "c", version + 1, "x"));
                }
                store.commit(commits);
            }
            h2.maintain();
            if (round == 9) {
                afterWarmUp = Files.size(file);
            }
        }
        long grown = Files.size(file) - afterWarmUp;
        System.out.printf("file after warm-up %d KB, grown by %d KB over 2,000 more commits%n", afterWarmUp >> 10, grown >> 10);
        // Without compaction the 2,000 commits after the warm-up added ~42 MB.
        assertTrue(grown < 15 << 20, "the file grew by " + (grown >> 10) + " KB over 2,000 commits");
        assertEquals(3_000, store.headVersion("doc-9"));
    }

    @Test
    void aClosedStoreRefusesWithAStoreException() {
        store.close();
        assertThrows(StoreException.class, () -> store.headVersion("doc"));
        store.close(); // closing twice is harmless
    }

    @Test
    void aDatabaseOfANewerSchemaIsRefusedInOneLine() throws Exception {
        store.close();
        try (Connection c = DriverManager.getConnection(H2Database.jdbcUrl(folder.toAbsolutePath()), "sa", "")) {
            c.createStatement().execute("INSERT INTO \"flyway_schema_history\" (\"installed_rank\", \"version\","
                    + " \"description\", \"type\", \"script\", \"checksum\", \"installed_by\", \"execution_time\","
                    + " \"success\") VALUES (99, '99', 'from the future', 'SQL', 'V99__from_the_future.sql', 0, 'test',"
                    + " 1, TRUE)");
        }
        StoreException e = assertThrows(StoreException.class, () -> new H2DocumentStore(folder));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("schema version 99"), e.getMessage());
        store = new H2DocumentStore(folder.resolve("fresh")); // for closeTheStore
    }

    @Test
    void aDatabaseWithARowPerOperationIsMigratedToRuns(@TempDir Path older) throws Exception {
        // The schema as version 1 left it, with a history in its ops table.
        String url = H2Database.jdbcUrl(older.toAbsolutePath());
        Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration").target("1").load().migrate();
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.createStatement().execute("INSERT INTO documents (id, version, updated) VALUES ('doc', 3, 1000002)");
            c.createStatement().execute("INSERT INTO ops (doc_id, version, op, client_id, seq, user_id, ts) VALUES "
                    + "('doc', 0, '[\"ab\\\"\"]', 'c1', 1, 'u1', 1000000), "
                    + "('doc', 1, '[2,\"😀\"]', 'c\"2', 4, NULL, 1000001), "
                    + "('doc', 2, '[{\"d\":1}]', 'c1', 2, 'u1', 1000002)");
        }

        try (H2DocumentStore migrated = new H2DocumentStore(older)) {
            List<StoredOp> expected = List.of(
                    new StoredOp(0, TextOperation.insert(0, "ab\""), "c1", 1, "u1", 1000000),
                    new StoredOp(1, TextOperation.insert(2, "😀"), "c\"2", 4, null, 1000001),
                    new StoredOp(2, TextOperation.builder().delete(1).build(), "c1", 2, "u1", 1000002));
            assertEquals(expected, migrated.ops("doc", 0, 10));
            assertEquals(expected.subList(1, 2), migrated.ops("doc", 1, 2));
            assertEquals(3, migrated.headVersion("doc"));
            assertEquals(2, migrated.lastSeq("doc", "c1"));
            assertEquals(4, migrated.lastSeq("doc", "c\"2"));
            assertEquals(Optional.of(expected.get(0)), migrated.findSubmission("doc", "c1", 1));
            assertEquals(Optional.of(expected.get(2)), migrated.findSubmission("doc", "c1", 2));
            assertThrows(IllegalStateException.class, () -> migrated.commit(List.of(inserts("doc", 3, "c1", 2, "again"))));
            migrated.commit(List.of(inserts("doc", 3, "c1", 3, "new")));
            assertEquals("newb😀\"", load(migrated, "doc"));
        }
    }

    @Test
    void theHistoryIsStoredInTheWireForm() throws Exception {
        // Other tools (and a later PostgreSQL store) read the ops column as ot-text-unicode JSON.
        TextOperation op = TextOperation.builder().retain(3).insert("😀").delete(2).build();
        store.commit(List.of(new DocumentCommit("doc", 0, List.of(op(0, TextOperation.insert(0, "abcdef"), "c", 1),
                op(1, op, "c", 2)), null)));

        // In the same JVM a second connection with the same URL shares the open database.
        try (Connection c = DriverManager.getConnection(H2Database.jdbcUrl(folder.toAbsolutePath()), "sa", "");
                ResultSet rs = c.createStatement().executeQuery(
                        "SELECT first_version, end_version, ops FROM op_runs WHERE doc_id = 'doc'")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getLong(1));
            assertEquals(2, rs.getLong(2));
            JsonArray run = JsonParser.parseString(rs.getString(3)).getAsJsonArray();
            assertEquals(2, run.size());
            assertEquals("[\"abcdef\"]", run.get(0).getAsJsonObject().get("op").toString());
            assertEquals("[3,\"😀\",{\"d\":2}]", run.get(1).getAsJsonObject().get("op").toString());
            assertEquals("c", run.get(1).getAsJsonObject().get("client").getAsString());
            assertEquals(2, run.get(1).getAsJsonObject().get("seq").getAsLong());
            assertFalse(rs.next(), "one commit is one run");
        }
    }
}
