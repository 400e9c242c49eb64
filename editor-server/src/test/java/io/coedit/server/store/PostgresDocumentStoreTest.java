package io.coedit.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coedit.ot.TextOperation;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The store contract, held by the PostgreSQL store on a real server ({@link PostgresServer}),
 * plus what is PostgreSQL's own: two stores on one database (two server processes) racing at
 * one base, durability settings on every connection, and what an operator sees when the
 * database is missing, refuses the credentials, is newer than this build, or goes away.
 */
class PostgresDocumentStoreTest extends DocumentStoreContract {

    private String database;

    @Override
    protected DocumentStore openStore() {
        PostgresServer pg = PostgresServer.shared();
        database = pg.newDatabase();
        return open(database);
    }

    private static PostgresDocumentStore open(String database) {
        PostgresServer pg = PostgresServer.shared();
        return new PostgresDocumentStore(pg.jdbcUrl(database), pg.user(), pg.password());
    }

    /**
     * Two stores on one database, as two server processes would have, commit at the same base
     * at the same moment, round after round: exactly one wins each round, the other gets a
     * conflict, and the history never forks.
     */
    @Test
    void ofTwoStoresCommittingAtOneBaseExactlyOneWins() throws Exception {
        int rounds = 40;
        try (PostgresDocumentStore other = open(database)) {
            List<DocumentStore> nodes = List.of(store, other);
            CyclicBarrier together = new CyclicBarrier(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < rounds; round++) {
                    long base = store.headVersion("shared");
                    List<Future<Boolean>> outcomes = new ArrayList<>();
                    for (int n = 0; n < 2; n++) {
                        DocumentStore node = nodes.get(n);
                        String clientId = "node-" + n;
                        long seq = round + 1;
                        outcomes.add(pool.submit(() -> {
                            together.await(10, TimeUnit.SECONDS);
                            try {
                                node.commit(List.of(new DocumentCommit("shared", base,
                                        List.of(op(base, TextOperation.insert(0, clientId.substring(5)), clientId, seq)),
                                        null)));
                                return true;
                            } catch (VersionConflictException e) {
                                assertEquals(base, e.expected());
                                assertEquals(base + 1, e.actual());
                                return false;
                            }
                        }));
                    }
                    boolean first = outcomes.get(0).get(30, TimeUnit.SECONDS);
                    boolean second = outcomes.get(1).get(30, TimeUnit.SECONDS);
                    assertTrue(first ^ second, "round " + round + ": exactly one of two commits at base " + base
                            + " wins, got " + first + " and " + second);
                    assertEquals(base + 1, store.headVersion("shared"));
                    assertEquals(base + 1, other.headVersion("shared"));
                }
            } finally {
                pool.shutdownNow();
            }
            List<StoredOp> history = other.ops("shared", 0, Long.MAX_VALUE);
            assertEquals(rounds, history.size());
            for (int k = 0; k < rounds; k++) {
                assertEquals(k, history.get(k).version());
            }
            assertEquals(replay("", history), load(store, "shared"));
        }
    }

    /**
     * Two stores group-commit the same two documents, listed in opposite orders, at the same
     * bases at the same moment: one wins and the other gets a conflict, never a deadlock
     * error, because a commit takes its row locks in document-id order.
     */
    @Test
    void groupCommitsOfOneSetInOppositeOrdersConflictInsteadOfDeadlocking() throws Exception {
        int rounds = 20;
        store.commit(List.of(inserts("x", 0, "a", 1, "x"), inserts("y", 0, "a", 1, "y")));
        try (PostgresDocumentStore other = open(database)) {
            List<DocumentStore> nodes = List.of(store, other);
            CyclicBarrier together = new CyclicBarrier(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < rounds; round++) {
                    long base = store.headVersion("x");
                    List<Future<Boolean>> outcomes = new ArrayList<>();
                    for (int n = 0; n < 2; n++) {
                        DocumentStore node = nodes.get(n);
                        String clientId = "node-" + n;
                        long seq = round + 1;
                        List<DocumentCommit> commits = new ArrayList<>(List.of(
                                inserts("x", base, clientId, seq, "x"), inserts("y", base, clientId, seq, "y")));
                        if (n == 1) {
                            java.util.Collections.reverse(commits);
                        }
                        outcomes.add(pool.submit(() -> {
                            together.await(10, TimeUnit.SECONDS);
                            try {
                                node.commit(commits);
                                return true;
                            } catch (VersionConflictException e) {
                                return false;
                            }
                        }));
                    }
                    boolean first = outcomes.get(0).get(30, TimeUnit.SECONDS);
                    boolean second = outcomes.get(1).get(30, TimeUnit.SECONDS);
                    assertTrue(first ^ second, "round " + round + ": exactly one wins, got " + first + " and " + second);
                    assertEquals(base + 1, other.headVersion("x"));
                    assertEquals(base + 1, other.headVersion("y"));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** A group commit from one store that loses one document's race changes none of its documents. */
    @Test
    void aGroupCommitLosingOneDocumentToAnotherStoreChangesNothing() {
        store.commit(List.of(inserts("a", 0, "k", 1, "a"), inserts("b", 0, "k", 1, "b")));
        try (PostgresDocumentStore other = open(database)) {
            other.commit(List.of(inserts("b", 1, "j", 1, "B")));
            assertThrows(VersionConflictException.class,
                    () -> store.commit(List.of(inserts("a", 1, "k", 2, "a2"), inserts("b", 1, "k", 2, "b2"))));
            assertEquals(1, other.headVersion("a"));
            assertEquals(2, other.headVersion("b"));
            assertEquals("a", load(other, "a"));
            assertEquals("Bb", load(other, "b"));
            assertEquals(1, other.lastSeq("a", "k"));
        }
    }

    /** Ack = durable: every connection of the store commits synchronously, even where the database's default says otherwise. */
    @Test
    void everyConnectionCommitsSynchronouslyWhateverTheDatabaseDefault() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String relaxed = pg.newDatabase();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(relaxed), pg.user(), pg.password());
                Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + relaxed + " SET synchronous_commit = off");
        }
        try (PostgresDocumentStore relaxedStore = open(relaxed)) {
            for (int k = 0; k < 3; k++) {
                assertEquals("on", relaxedStore.connections.withConnection("reading synchronous_commit", c -> {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW synchronous_commit")) {
                        rs.next();
                        return rs.getString(1);
                    }
                }));
            }
        }
    }

    @Test
    void aDatabaseWithANewerSchemaIsRefusedInOneLine() throws Exception {
        store.close();
        PostgresServer pg = PostgresServer.shared();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(database), pg.user(), pg.password());
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, execution_time, success) VALUES (99, '99', 'from the future', 'SQL',"
                    + " 'V99__from_the_future.sql', 0, 'test', 1, true)");
        }
        StoreException e = assertThrows(StoreException.class, () -> open(database));
        assertOneLine(e.getMessage());
        assertTrue(e.getMessage().contains("schema version 99"), e.getMessage());
        assertTrue(e.getMessage().contains(pg.jdbcUrl(database)), e.getMessage());
        store = open(pg.newDatabase()); // for closeTheStore
    }

    @Test
    void wrongCredentialsAreRefusedInOneLineWithoutThePassword() {
        PostgresServer pg = PostgresServer.shared();
        StoreException e = assertThrows(StoreException.class,
                () -> new PostgresDocumentStore(pg.jdbcUrl(database), pg.user(), "not-the-password"));
        assertOneLine(e.getMessage());
        assertTrue(e.getMessage().contains(pg.jdbcUrl(database)), e.getMessage());
        assertTrue(e.getMessage().contains("password authentication failed"), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-password"), e.getMessage());
    }

    @Test
    void aDatabaseThatIsDownIsNamedWithoutItsPassword() throws Exception {
        int nobody;
        try (ServerSocket socket = new ServerSocket(0)) {
            nobody = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + nobody + "/coedit?user=coedit&password=s3cret&connectTimeout=2";
        StoreException e = assertThrows(StoreException.class, () -> new PostgresDocumentStore(url, null, null));
        assertOneLine(e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1:" + nobody + "/coedit"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    @Test
    void anotherSchemeIsNotAPostgresUrl() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PostgresDocumentStore("jdbc:mysql://127.0.0.1/coedit?password=s3cret", "u", "p"));
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    /**
     * The database goes away under an open store: calls fail with a {@link StoreException},
     * {@link DocumentStore#unavailable()} says so, and once it is back both recover without
     * reopening the store.
     */
    @Test
    void aLostDatabaseFailsCallsAndIsReportedUntilItReturns() {
        PostgresServer pg = PostgresServer.shared();
        store.commit(List.of(inserts("doc", 0, "k", 1, "a")));
        awaitTrue(() -> store.unavailable().isEmpty(), "the store reports itself available");
        pg.stop();
        try {
            assertThrows(StoreException.class, () -> store.commit(List.of(inserts("doc", 1, "k", 2, "b"))));
            awaitTrue(() -> store.unavailable().isPresent(), "the store reports the database unavailable");
            assertTrue(store.unavailable().orElseThrow().contains(pg.jdbcUrl(database)), store.unavailable().orElseThrow());
        } finally {
            pg.start();
        }
        awaitTrue(() -> store.unavailable().isEmpty(), "the store reports the database back");
        store.commit(List.of(inserts("doc", 1, "k", 2, "b")));
        assertEquals("ba", load(store, "doc"));
    }

    static void assertOneLine(String message) {
        assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
    }

    static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
