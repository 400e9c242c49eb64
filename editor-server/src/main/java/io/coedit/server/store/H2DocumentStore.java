package io.coedit.server.store;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link DocumentStore}: an embedded H2 database file in a data folder. Opening
 * it (the file, its URL settings, the pool, the migrations) is {@link H2Database}; keeping
 * the file small is {@link H2Compactor}; this class runs the store's operations on the open
 * database.
 *
 * <h2>Commit</h2>
 * All commits of a call share one transaction. Each document's head moves with a
 * conditional {@code UPDATE ... WHERE version = base} (an {@code INSERT} for a new
 * document), so a writer that lost a race finds no row to update and the whole transaction
 * rolls back. A document's operations go in as one row, a run (see {@link OpRuns} and
 * {@code V2__op_runs.sql}), and each submitting client's last seq moves forward in
 * {@code client_seqs}, which is how a repeated submission is refused and a resubmission
 * found. Why runs: H2 rewrites every page a commit dirties, so what a commit costs follows
 * the pages it touches; a row per operation with a unique submission index touched two
 * leaves per document, a run touches about one. Measured on {@link #commit} alone,
 * 200 documents x 5 operations a transaction: ~40 ms a commit with a row per operation,
 * ~8 ms with runs.
 */
public final class H2DocumentStore implements DocumentStore {
    private static final Logger log = LoggerFactory.getLogger(H2DocumentStore.class);

    /** SQLSTATE of a unique or primary key violation, the same in H2 and PostgreSQL. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final Path folder;
    private final HikariDataSource pool;
    private final StoreConnections connections;
    private final H2Compactor compactor;

    /**
     * Opens (creating if needed) the store in {@code dataFolder}, and brings its schema up to
     * date.
     *
     * @throws StoreException if the folder cannot be created, the database cannot be opened
     *     (for example because another process holds it) or migrated
     */
    public H2DocumentStore(Path dataFolder) {
        this.folder = H2Database.createFolder(dataFolder);
        this.pool = H2Database.open(folder);
        this.connections = new StoreConnections(pool);
        this.compactor = new H2Compactor(folder, pool, connections);
        log.info("document store open in {}", folder);
    }

    /** Compacts the database file now rather than at the next round (see {@link H2Compactor}). */
    void maintain() {
        compactor.maintain();
    }

    /** The absolute data folder this store keeps its database in. */
    public Path folder() {
        return folder;
    }

    // ---- reads --------------------------------------------------------------------------

    @Override
    public long headVersion(String docId) {
        return connections.withConnection("reading the head of document " + docId, c -> head(c, docId));
    }

    @Override
    public Optional<Snapshot> snapshotAtOrBelow(String docId, long version) {
        return connections.withConnection("reading a snapshot of document " + docId, c -> {
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
        return connections.withConnection("reading the history of document " + docId, c -> ops(c, docId, from, to));
    }

    @Override
    public Optional<StoredOp> findSubmission(String docId, String clientId, long seq) {
        return connections.withConnection("looking up submission " + clientId + "/" + seq + " of document " + docId, c -> {
            ClientSeq last = clientSeq(c, docId, clientId);
            if (last == null || seq > last.seq) {
                return Optional.empty();
            }
            // Versions grow with seqs, so the submission lies between the client's first and
            // last versions: search back from the last, which is what a resubmission wants.
            try (PreparedStatement s = c.prepareStatement("SELECT first_version, ops FROM op_runs "
                    + "WHERE doc_id = ? AND first_version <= ? AND end_version > ? ORDER BY first_version DESC")) {
                s.setString(1, docId);
                s.setLong(2, last.version);
                s.setLong(3, last.firstVersion);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        for (StoredOp op : OpRuns.decode(docId, rs.getLong(1), rs.getString(2), 0, Long.MAX_VALUE)) {
                            if (op.clientId().equals(clientId) && op.seq() == seq) {
                                return Optional.of(op);
                            }
                        }
                    }
                }
            }
            return Optional.empty();
        });
    }

    @Override
    public long lastSeq(String docId, String clientId) {
        return connections.withConnection("reading the last sequence number of " + clientId + " on document " + docId, c -> {
            ClientSeq last = clientSeq(c, docId, clientId);
            return last == null ? 0 : last.seq;
        });
    }

    @Override
    public List<DocumentSummary> list() {
        return connections.withConnection("listing documents", c -> {
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
        connections.withConnection("committing " + what, c -> {
            c.setAutoCommit(false);
            try {
                appendAll(c, commits);
                c.commit();
                compactor.changed();
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
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
                PreparedStatement insertRun = c.prepareStatement(
                     "INSERT INTO op_runs (doc_id, first_version, end_version, ops) VALUES (?, ?, ?, ?)")) {
            List<DocumentCommit> withSnapshot = new ArrayList<>();
            Map<List<String>, Submitter> submitters = new LinkedHashMap<>();
            for (DocumentCommit commit : commits) {
                if (commit.ops().isEmpty()) {
                    // Nothing moves, but the caller still asserted the base version.
                    long head = head(c, commit.docId());
                    if (head != commit.baseVersion()) {
                        throw new VersionConflictException(commit.docId(), commit.baseVersion(), head);
                    }
                } else {
                    moveHead(c, advance, commit);
                    insertRun.setString(1, commit.docId());
                    insertRun.setLong(2, commit.baseVersion());
                    insertRun.setLong(3, commit.headVersion());
                    insertRun.setString(4, OpRuns.encode(commit.ops()));
                    insertRun.addBatch();
                    for (StoredOp op : commit.ops()) {
                        List<String> key = List.of(commit.docId(), op.clientId());
                        Submitter before = submitters.get(key);
                        if (before != null && op.seq() <= before.seq) {
                            throw repeated(commit.docId(), op.clientId(), op.seq());
                        }
                        submitters.put(key, before == null
                                ? new Submitter(op.version(), op.seq(), op.seq(), op.version())
                                : new Submitter(before.firstVersion, before.firstSeq, op.seq(), op.version()));
                    }
                }
                if (commit.snapshot() != null) {
                    withSnapshot.add(commit);
                }
            }
            insertRun.executeBatch();
            recordSubmitters(c, submitters);
            if (!withSnapshot.isEmpty()) {
                insertSnapshots(c, withSnapshot);
            }
        }
    }

    /**
     * What one call commits of one client on one document: its first and last submission in
     * the call, and where they landed.
     */
    private record Submitter(long firstVersion, long firstSeq, long seq, long version) {}

    /** A client's last committed submission on a document, and the version of its first. */
    private record ClientSeq(long firstVersion, long seq, long version) {}

    /**
     * Moves each client's last submission forward, or throws {@link IllegalStateException} if
     * one is not above the one already committed: a conditional update for a client seen
     * before, an insert (which the primary key refuses if the row exists) for a new one.
     */
    private static void recordSubmitters(Connection c, Map<List<String>, Submitter> submitters) throws SQLException {
        List<Map.Entry<List<String>, Submitter>> entries = new ArrayList<>(submitters.entrySet());
        int[] updated;
        try (PreparedStatement advance = c.prepareStatement(
                "UPDATE client_seqs SET seq = ?, version = ? WHERE doc_id = ? AND client_id = ? AND seq < ?")) {
            for (Map.Entry<List<String>, Submitter> e : entries) {
                advance.setLong(1, e.getValue().seq);
                advance.setLong(2, e.getValue().version);
                advance.setString(3, e.getKey().get(0));
                advance.setString(4, e.getKey().get(1));
                advance.setLong(5, e.getValue().firstSeq);
                advance.addBatch();
            }
            updated = advance.executeBatch();
        }
        List<Map.Entry<List<String>, Submitter>> fresh = new ArrayList<>();
        for (int k = 0; k < entries.size(); k++) {
            if (updated[k] == 0) {
                fresh.add(entries.get(k));
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO client_seqs (doc_id, client_id, first_version, seq, version) VALUES (?, ?, ?, ?, ?)")) {
            for (Map.Entry<List<String>, Submitter> e : fresh) {
                insert.setString(1, e.getKey().get(0));
                insert.setString(2, e.getKey().get(1));
                insert.setLong(3, e.getValue().firstVersion);
                insert.setLong(4, e.getValue().seq);
                insert.setLong(5, e.getValue().version);
                insert.addBatch();
            }
            insert.executeBatch();
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            // The client has a row whose seq is not below this call's: a repeat.
            for (Map.Entry<List<String>, Submitter> f : fresh) {
                if (clientSeq(c, f.getKey().get(0), f.getKey().get(1)) != null) {
                    IllegalStateException repeated = repeated(f.getKey().get(0), f.getKey().get(1), f.getValue().firstSeq);
                    repeated.initCause(e);
                    throw repeated;
                }
            }
            throw e;
        }
    }

    private static IllegalStateException repeated(String docId, String clientId, long seq) {
        return new IllegalStateException("submission " + clientId + "/" + seq
                + " is not above the last one committed to document " + docId + " by that client");
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
        return connections.withConnection("storing a chat message on document " + docId, c -> {
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
        return connections.withConnection("reading the chat of document " + docId, c -> {
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
        compactor.close();
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

    private static long head(Connection c, String docId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT version FROM documents WHERE id = ?")) {
            s.setString(1, docId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** Operations with versions in {@code [from, to)}, read from the runs that hold them. */
    private static List<StoredOp> ops(Connection c, String docId, long from, long to) throws SQLException {
        // The run holding {@code from} starts at or before it: find where, then read forward.
        long start = from;
        try (PreparedStatement s = c.prepareStatement("SELECT first_version FROM op_runs "
                + "WHERE doc_id = ? AND first_version <= ? ORDER BY first_version DESC LIMIT 1")) {
            s.setString(1, docId);
            s.setLong(2, from);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    start = rs.getLong(1);
                }
            }
        }
        List<StoredOp> ops = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT first_version, ops FROM op_runs "
                + "WHERE doc_id = ? AND first_version >= ? AND first_version < ? ORDER BY first_version")) {
            s.setString(1, docId);
            s.setLong(2, start);
            s.setLong(3, to);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ops.addAll(OpRuns.decode(docId, rs.getLong(1), rs.getString(2), from, to));
                }
            }
        }
        return Collections.unmodifiableList(ops);
    }

    private static ClientSeq clientSeq(Connection c, String docId, String clientId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT first_version, seq, version FROM client_seqs WHERE doc_id = ? AND client_id = ?")) {
            s.setString(1, docId);
            s.setString(2, clientId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new ClientSeq(rs.getLong(1), rs.getLong(2), rs.getLong(3)) : null;
            }
        }
    }

    private static String describe(List<DocumentCommit> commits) {
        int ops = commits.stream().mapToInt(commit -> commit.ops().size()).sum();
        String documents = commits.size() == 1 ? "document " + commits.get(0).docId() : commits.size() + " documents";
        return ops + " ops to " + documents;
    }
}
