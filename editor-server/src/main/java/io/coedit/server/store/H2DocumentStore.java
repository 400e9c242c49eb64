package io.coedit.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.coedit.ot.json.OpJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link DocumentStore}: an embedded H2 database file in a data folder, reached
 * through a HikariCP pool, its schema created and upgraded by Flyway from
 * {@code db/migration} on the classpath.
 *
 * <h2>Durability</h2>
 * Every connection URL carries {@code WRITE_DELAY=0}, so H2 writes each commit to the file
 * before {@link #commit} returns; without it, commits acknowledged in the last second were
 * lost when the process was killed. H2 does not fsync each commit, so a returned commit
 * survives a crash of the process, not a loss of power. {@code DB_CLOSE_ON_EXIT=FALSE}
 * keeps H2's own shutdown hook from closing the database under a server that is still
 * flushing its last commits: the owner closes the store, last, in its own shutdown.
 *
 * <h2>Commit</h2>
 * All commits of a call share one transaction. Each document's head moves with a
 * conditional {@code UPDATE ... WHERE version = base} (an {@code INSERT} for a new
 * document), so a writer that lost a race finds no row to update and the whole transaction
 * rolls back; the operations go in as one JDBC batch. Grouping many operations in one
 * commit is where throughput comes from: each commit costs a write to the file, each
 * extra row very little.
 */
public final class H2DocumentStore implements DocumentStore {
    private static final Logger log = LoggerFactory.getLogger(H2DocumentStore.class);

    /** The name of the database inside the data folder (its file is {@code coedit.mv.db}). */
    static final String DATABASE_NAME = "coedit";

    /**
     * Connections in the pool. Commits to one H2 file are written one after another anyway;
     * a few connections let reads and chat proceed while a commit is written.
     */
    private static final int POOL_SIZE = 8;

    /** SQLSTATE of a unique or primary key violation, the same in H2 and PostgreSQL. */
    private static final String UNIQUE_VIOLATION = "23505";

    /**
     * The wire codec's component limit protects the server from what clients send; what the
     * store reads back is what it wrote itself, possibly an operation that transformation
     * made longer than any client could send, so reading it must never be refused.
     */
    private static final OpJson OPS = OpJson.withMaxComponents(Integer.MAX_VALUE);

    private static final String SELECT_OP_COLUMNS = "SELECT version, op, client_id, seq, user_id, ts FROM ops ";

    private final Path folder;
    private final HikariDataSource pool;

    /**
     * Opens (creating if needed) the store in {@code dataFolder}, and brings its schema up to
     * date.
     *
     * @throws StoreException if the folder cannot be created, the database cannot be opened
     *     (for example because another process holds it) or migrated
     */
    public H2DocumentStore(Path dataFolder) {
        // H2 refuses relative database paths (error 90011).
        this.folder = dataFolder.toAbsolutePath().normalize();
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new StoreException("cannot create the data folder " + folder + ": " + e.getMessage(), e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl(folder));
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(POOL_SIZE);
        config.setPoolName("coedit-h2");
        try {
            this.pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the database in " + folder + ": " + rootMessage(e), e);
        }
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new StoreException("cannot bring the database schema in " + folder + " up to date: " + rootMessage(e), e);
        }
        log.info("document store open in {}", folder);
    }

    /**
     * The JDBC URL of the database in an absolute {@code folder}. {@code WRITE_DELAY=0} must
     * be in every URL that opens it: H2 does not remember it, and a connection without it
     * would bring back the default delay for the whole database.
     */
    static String jdbcUrl(Path folder) {
        String path = folder.resolve(DATABASE_NAME).toString();
        if (path.indexOf(';') >= 0) {
            // H2 would read what follows as a setting.
            throw new IllegalArgumentException("the data folder path must not contain ';': " + folder);
        }
        return "jdbc:h2:file:" + path + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }

    /** The absolute data folder this store keeps its database in. */
    public Path folder() {
        return folder;
    }

    // ---- reads --------------------------------------------------------------------------

    @Override
    public long headVersion(String docId) {
        return withConnection("reading the head of document " + docId, c -> head(c, docId));
    }

    @Override
    public Optional<Snapshot> snapshotAtOrBelow(String docId, long version) {
        return withConnection("reading a snapshot of document " + docId, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT version, text FROM snapshots WHERE doc_id = ? AND version <= ? ORDER BY version DESC LIMIT 1")) {
                s.setString(1, docId);
                s.setLong(2, version);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(new Snapshot(rs.getLong(1), rs.getString(2))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<StoredOp> ops(String docId, long from, long to) {
        if (from >= to) {
            return List.of();
        }
        return withConnection("reading the history of document " + docId, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    SELECT_OP_COLUMNS + "WHERE doc_id = ? AND version >= ? AND version < ? ORDER BY version")) {
                s.setString(1, docId);
                s.setLong(2, from);
                s.setLong(3, to);
                try (ResultSet rs = s.executeQuery()) {
                    List<StoredOp> ops = new ArrayList<>();
                    while (rs.next()) {
                        ops.add(storedOp(rs));
                    }
                    return Collections.unmodifiableList(ops);
                }
            }
        });
    }

    @Override
    public Optional<StoredOp> findSubmission(String docId, String clientId, long seq) {
        return withConnection("looking up submission " + clientId + "/" + seq + " of document " + docId,
                c -> findSubmission(c, docId, clientId, seq));
    }

    @Override
    public long lastSeq(String docId, String clientId) {
        return withConnection("reading the last sequence number of " + clientId + " on document " + docId, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT MAX(seq) FROM ops WHERE doc_id = ? AND client_id = ?")) {
                s.setString(1, docId);
                s.setString(2, clientId);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getLong(1); // 0 for the NULL of no rows
                }
            }
        });
    }

    @Override
    public List<DocumentSummary> list() {
        return withConnection("listing documents", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id, version, updated FROM documents WHERE version > 0 ORDER BY updated DESC, id");
                    ResultSet rs = s.executeQuery()) {
                List<DocumentSummary> documents = new ArrayList<>();
                while (rs.next()) {
                    documents.add(new DocumentSummary(rs.getString(1), rs.getLong(2), rs.getLong(3)));
                }
                return Collections.unmodifiableList(documents);
            }
        });
    }

    // ---- commit -------------------------------------------------------------------------

    @Override
    public void commit(List<DocumentCommit> commits) {
        if (commits.isEmpty()) {
            return;
        }
        String what = describe(commits);
        withConnection("committing " + what, c -> {
            c.setAutoCommit(false);
            try {
                appendAll(c, commits);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                if (e instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                    RuntimeException repeated = repeatedSubmission(c, commits, sql);
                    if (repeated != null) {
                        throw repeated;
                    }
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            return null;
        });
    }

    /** The statements of one commit transaction; the caller commits or rolls back. */
    private static void appendAll(Connection c, List<DocumentCommit> commits) throws SQLException {
        try (PreparedStatement advance = c.prepareStatement(
                     "UPDATE documents SET version = ?, updated = GREATEST(updated, ?) WHERE id = ? AND version = ?");
                PreparedStatement insertOps = c.prepareStatement(
                     "INSERT INTO ops (doc_id, version, op, client_id, seq, user_id, ts) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            List<DocumentCommit> withSnapshot = new ArrayList<>();
            for (DocumentCommit commit : commits) {
                if (commit.ops().isEmpty()) {
                    // Nothing moves, but the caller still asserted the base version.
                    long head = head(c, commit.docId());
                    if (head != commit.baseVersion()) {
                        throw new VersionConflictException(commit.docId(), commit.baseVersion(), head);
                    }
                } else {
                    moveHead(c, advance, commit);
                    for (StoredOp op : commit.ops()) {
                        insertOps.setString(1, commit.docId());
                        insertOps.setLong(2, op.version());
                        insertOps.setString(3, OPS.toJson(op.op()));
                        insertOps.setString(4, op.clientId());
                        insertOps.setLong(5, op.seq());
                        insertOps.setString(6, op.userId());
                        insertOps.setLong(7, op.timestamp());
                        insertOps.addBatch();
                    }
                }
                if (commit.snapshot() != null) {
                    withSnapshot.add(commit);
                }
            }
            insertOps.executeBatch();
            if (!withSnapshot.isEmpty()) {
                insertSnapshots(c, withSnapshot);
            }
        }
    }

    /**
     * Moves a document's head from the commit's base to its new head, or throws
     * {@link VersionConflictException}. The conditional update is the check: under
     * concurrency it waits for the row lock of another writer and then finds the version it
     * left, so two writers at the same base cannot both succeed.
     */
    private static void moveHead(Connection c, PreparedStatement advance, DocumentCommit commit) throws SQLException {
        long latest = commit.ops().stream().mapToLong(StoredOp::timestamp).max().orElseThrow();
        advance.setLong(1, commit.headVersion());
        advance.setLong(2, latest);
        advance.setString(3, commit.docId());
        advance.setLong(4, commit.baseVersion());
        if (advance.executeUpdate() == 1) {
            return;
        }
        if (commit.baseVersion() == 0) {
            try (PreparedStatement create = c.prepareStatement(
                    "INSERT INTO documents (id, version, updated) VALUES (?, ?, ?)")) {
                create.setString(1, commit.docId());
                create.setLong(2, commit.headVersion());
                create.setLong(3, latest);
                create.executeUpdate();
                return;
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                // Another writer created the document first: fall through to the conflict.
            }
        }
        throw new VersionConflictException(commit.docId(), commit.baseVersion(), head(c, commit.docId()));
    }

    private static void insertSnapshots(Connection c, List<DocumentCommit> commits) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO snapshots (doc_id, version, text) VALUES (?, ?, ?)")) {
            for (DocumentCommit commit : commits) {
                s.setString(1, commit.docId());
                s.setLong(2, commit.snapshot().version());
                s.setString(3, commit.snapshot().text());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /**
     * After a unique violation, the submission that caused it (repeated within the call, or
     * already committed), as the same exception the in-memory store throws; null if the
     * violation was something else.
     */
    private static RuntimeException repeatedSubmission(Connection c, List<DocumentCommit> commits, SQLException cause)
            throws SQLException {
        Set<List<Object>> seen = new HashSet<>();
        for (DocumentCommit commit : commits) {
            for (StoredOp op : commit.ops()) {
                boolean repeated = !seen.add(List.of(commit.docId(), op.clientId(), op.seq()))
                        || findSubmission(c, commit.docId(), op.clientId(), op.seq()).isPresent();
                if (repeated) {
                    return new IllegalStateException("submission " + op.clientId() + "/" + op.seq()
                            + " is already committed to document " + commit.docId(), cause);
                }
            }
        }
        return null;
    }

    private static void rollback(Connection c, Exception failure) {
        try {
            c.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    // ---- chat ---------------------------------------------------------------------------

    @Override
    public ChatMessage addChat(String docId, String userId, String userName, String text, long timestamp) {
        return withConnection("storing a chat message on document " + docId, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO chat (doc_id, user_id, user_name, text, ts) VALUES (?, ?, ?, ?, ?)", new String[] {"ID"})) {
                s.setString(1, docId);
                s.setString(2, userId);
                s.setString(3, userName);
                s.setString(4, text);
                s.setLong(5, timestamp);
                s.executeUpdate();
                try (ResultSet keys = s.getGeneratedKeys()) {
                    keys.next();
                    return new ChatMessage(keys.getLong(1), docId, userId, userName, text, timestamp);
                }
            }
        });
    }

    @Override
    public List<ChatMessage> recentChat(String docId, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return withConnection("reading the chat of document " + docId, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id, user_id, user_name, text, ts FROM chat WHERE doc_id = ? ORDER BY id DESC LIMIT ?")) {
                s.setString(1, docId);
                s.setInt(2, limit);
                try (ResultSet rs = s.executeQuery()) {
                    List<ChatMessage> newestFirst = new ArrayList<>();
                    while (rs.next()) {
                        newestFirst.add(new ChatMessage(rs.getLong(1), docId, rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getLong(5)));
                    }
                    Collections.reverse(newestFirst);
                    return Collections.unmodifiableList(newestFirst);
                }
            }
        });
    }

    /**
     * Closes every connection; with {@code DB_CLOSE_ON_EXIT=FALSE} and no delay, H2 closes the
     * database when the last one goes, which releases the file for the next opener.
     */
    @Override
    public void close() {
        if (!pool.isClosed()) {
            pool.close();
            log.info("document store in {} closed", folder);
        }
    }

    @Override
    public String toString() {
        return "H2DocumentStore[" + folder + "]";
    }

    // ---- helpers ------------------------------------------------------------------------

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} on a pooled connection; a database failure becomes a {@link StoreException}. */
    private <T> T withConnection(String what, SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    private static long head(Connection c, String docId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT version FROM documents WHERE id = ?")) {
            s.setString(1, docId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static Optional<StoredOp> findSubmission(Connection c, String docId, String clientId, long seq)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                SELECT_OP_COLUMNS + "WHERE doc_id = ? AND client_id = ? AND seq = ?")) {
            s.setString(1, docId);
            s.setString(2, clientId);
            s.setLong(3, seq);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(storedOp(rs)) : Optional.empty();
            }
        }
    }

    /** A row of {@link #SELECT_OP_COLUMNS}. */
    private static StoredOp storedOp(ResultSet rs) throws SQLException {
        return new StoredOp(rs.getLong(1), OPS.parse(rs.getString(2)), rs.getString(3), rs.getLong(4),
                rs.getString(5), rs.getLong(6));
    }

    private static String describe(List<DocumentCommit> commits) {
        int ops = commits.stream().mapToInt(commit -> commit.ops().size()).sum();
        String documents = commits.size() == 1 ? "document " + commits.get(0).docId() : commits.size() + " documents";
        return ops + " ops to " + documents;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
