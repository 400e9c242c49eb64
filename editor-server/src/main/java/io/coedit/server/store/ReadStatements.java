package io.coedit.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The SQL that reads the history: heads, snapshots, runs of operations, the client-seq
 * bookkeeping and the document list, each on a connection the caller holds. The statements
 * are plain SQL that PostgreSQL also speaks, on the schema of {@code db/migration}.
 */
final class ReadStatements {

    /** A client's last committed submission on a document, and the version of its first. */
    record ClientSeq(long firstVersion, long seq, long version) {}

    private ReadStatements() {}

    /** The head version of a document, 0 if it has no row. */
    static long head(Connection c, String docId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT version FROM documents WHERE id = ?")) {
            s.setString(1, docId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    static Optional<Snapshot> snapshotAtOrBelow(Connection c, String docId, long version) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT version, text FROM snapshots WHERE doc_id = ? AND version <= ? ORDER BY version DESC LIMIT 1")) {
            s.setString(1, docId);
            s.setLong(2, version);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(new Snapshot(rs.getLong(1), rs.getString(2))) : Optional.empty();
            }
        }
    }

    /** Operations with versions in {@code [from, to)}, read from the runs that hold them. */
    static List<StoredOp> ops(Connection c, String docId, long from, long to) throws SQLException {
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

    static Optional<StoredOp> findSubmission(Connection c, String docId, String clientId, long seq) throws SQLException {
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
    }

    static long lastSeq(Connection c, String docId, String clientId) throws SQLException {
        ClientSeq last = clientSeq(c, docId, clientId);
        return last == null ? 0 : last.seq;
    }

    static List<DocumentSummary> list(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT id, version, updated FROM documents WHERE version > 0 ORDER BY updated DESC, id");
                ResultSet rs = s.executeQuery()) {
            List<DocumentSummary> documents = new ArrayList<>();
            while (rs.next()) {
                documents.add(new DocumentSummary(rs.getString(1), rs.getLong(2), rs.getLong(3)));
            }
            return Collections.unmodifiableList(documents);
        }
    }

    /** A client's last committed submission on a document, null if it has none. */
    static ClientSeq clientSeq(Connection c, String docId, String clientId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT first_version, seq, version FROM client_seqs WHERE doc_id = ? AND client_id = ?")) {
            s.setString(1, docId);
            s.setString(2, clientId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new ClientSeq(rs.getLong(1), rs.getLong(2), rs.getLong(3)) : null;
            }
        }
    }
}
