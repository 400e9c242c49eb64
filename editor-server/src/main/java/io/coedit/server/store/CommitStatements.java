package io.coedit.server.store;

import static io.coedit.server.store.ReadStatements.clientSeq;
import static io.coedit.server.store.ReadStatements.head;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL of one commit transaction: move each document's head from its base, append its
 * run, record its snapshot, and move each submitting client's last seq forward, refusing a
 * repeat. The caller opens, commits and rolls back the transaction.
 *
 * <p>All commits of a call share one transaction. Each document's head moves with a
 * conditional {@code UPDATE ... WHERE version = base} (an {@code INSERT} for a new
 * document), so a writer that lost a race finds no row to update and the whole transaction
 * rolls back. A document's operations go in as one row, a run (see {@link OpRuns} and
 * {@code V2__op_runs.sql}), and each submitting client's last seq moves forward in
 * {@code client_seqs}, which is how a repeated submission is refused and a resubmission
 * found. Why runs: H2 rewrites every page a commit dirties, so what a commit costs follows
 * the pages it touches; a row per operation with a unique submission index touched two
 * leaves per document, a run touches about one. Measured on {@link H2DocumentStore#commit}
 * alone, 200 documents x 5 operations a transaction: ~40 ms a commit with a row per
 * operation, ~8 ms with runs.
 *
 * <p>The statements are plain SQL that PostgreSQL also speaks, and the unique-violation
 * SQLSTATE is the same there. One thing differs: after a unique violation, {@link #moveHead}
 * and {@link #recordSubmitters} read on in the same transaction to say why, which H2
 * allows; PostgreSQL aborts a transaction at its first error, so there
 * ({@code errorsAbortTransaction}) each statement that may break a unique key runs under a
 * savepoint, and a violation rolls back to it before reading on.
 */
final class CommitStatements {

    /** SQLSTATE of a unique or primary key violation, the same in H2 and PostgreSQL. */
    private static final String UNIQUE_VIOLATION = "23505";

    private CommitStatements() {}

    /**
     * The statements of one commit transaction; the caller commits or rolls back.
     *
     * @param errorsAbortTransaction whether the database refuses every statement of a
     *     transaction after its first error (PostgreSQL), so that a unique violation must be
     *     taken back to a savepoint before the transaction reads on
     */
    static void appendAll(Connection c, List<DocumentCommit> commits, boolean errorsAbortTransaction)
            throws SQLException {
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
                    moveHead(c, advance, commit, errorsAbortTransaction);
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
            recordSubmitters(c, submitters, errorsAbortTransaction);
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

    /**
     * Moves each client's last submission forward, or throws {@link IllegalStateException} if
     * one is not above the one already committed: a conditional update for a client seen
     * before, an insert (which the primary key refuses if the row exists) for a new one.
     */
    private static void recordSubmitters(Connection c, Map<List<String>, Submitter> submitters,
            boolean errorsAbortTransaction) throws SQLException {
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
        Savepoint before = errorsAbortTransaction ? c.setSavepoint() : null;
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
            release(c, before);
        } catch (SQLException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
            rollBackTo(c, before);
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
    private static void moveHead(Connection c, PreparedStatement advance, DocumentCommit commit,
            boolean errorsAbortTransaction) throws SQLException {
        long latest = commit.ops().stream().mapToLong(StoredOp::timestamp).max().orElseThrow();
        advance.setLong(1, commit.headVersion());
        advance.setLong(2, latest);
        advance.setString(3, commit.docId());
        advance.setLong(4, commit.baseVersion());
        if (advance.executeUpdate() == 1) {
            return;
        }
        if (commit.baseVersion() == 0) {
            Savepoint before = errorsAbortTransaction ? c.setSavepoint() : null;
            try (PreparedStatement create = c.prepareStatement(
                    "INSERT INTO documents (id, version, updated) VALUES (?, ?, ?)")) {
                create.setString(1, commit.docId());
                create.setLong(2, commit.headVersion());
                create.setLong(3, latest);
                create.executeUpdate();
                release(c, before);
                return;
            } catch (SQLException e) {
                if (!isUniqueViolation(e)) {
                    throw e;
                }
                // Another writer created the document first: fall through to the conflict.
                rollBackTo(c, before);
            }
        }
        throw new VersionConflictException(commit.docId(), commit.baseVersion(), head(c, commit.docId()));
    }

    /**
     * Whether {@code e} is a unique violation. A batch reports it on the batch exception's
     * next exception in PostgreSQL, with the batch's own SQLSTATE on top.
     */
    private static boolean isUniqueViolation(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if (UNIQUE_VIOLATION.equals(x.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static void release(Connection c, Savepoint savepoint) throws SQLException {
        if (savepoint != null) {
            c.releaseSavepoint(savepoint);
        }
    }

    private static void rollBackTo(Connection c, Savepoint savepoint) throws SQLException {
        if (savepoint != null) {
            c.rollback(savepoint);
        }
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
}
