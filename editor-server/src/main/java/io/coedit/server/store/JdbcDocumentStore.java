package io.coedit.server.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * What the two SQL stores share once their database is open: each call of
 * {@link DocumentStore} as the statements of {@link ReadStatements}, {@link CommitStatements}
 * and {@link ChatStatements} on a pooled connection, named for the {@link StoreException}
 * it may raise, and the one transaction of a commit. What is a database's own (opening it,
 * the two dialect differences, keeping it healthy) is in {@link H2DocumentStore} and
 * {@link PostgresDocumentStore}.
 */
abstract class JdbcDocumentStore implements DocumentStore {

    /** How one database differs in the statements both stores run. */
    record Dialect(boolean errorsAbortTransaction, String chatIdColumn) {
        /** H2 reads on after an error in a transaction and names columns in upper case. */
        static final Dialect H2 = new Dialect(false, "ID");
        /** PostgreSQL aborts a transaction at its first error and names columns in lower case. */
        static final Dialect POSTGRESQL = new Dialect(true, "id");
    }

    final StoreConnections connections;
    private final Dialect dialect;

    JdbcDocumentStore(StoreConnections connections, Dialect dialect) {
        this.connections = connections;
        this.dialect = dialect;
    }

    /** Called after every commit that reached the database. */
    void committed() {}

    // ---- reads --------------------------------------------------------------------------

    @Override
    public long headVersion(String docId) {
        return connections.withConnection("reading the head of document " + docId, c -> ReadStatements.head(c, docId));
    }

    @Override
    public Optional<Snapshot> snapshotAtOrBelow(String docId, long version) {
        return connections.withConnection("reading a snapshot of document " + docId,
                c -> ReadStatements.snapshotAtOrBelow(c, docId, version));
    }

    @Override
    public List<StoredOp> ops(String docId, long from, long to) {
        if (from >= to) {
            return List.of();
        }
        return connections.withConnection("reading the history of document " + docId,
                c -> ReadStatements.ops(c, docId, from, to));
    }

    @Override
    public Optional<StoredOp> findSubmission(String docId, String clientId, long seq) {
        return connections.withConnection("looking up submission " + clientId + "/" + seq + " of document " + docId,
                c -> ReadStatements.findSubmission(c, docId, clientId, seq));
    }

    @Override
    public long lastSeq(String docId, String clientId) {
        return connections.withConnection("reading the last sequence number of " + clientId + " on document " + docId,
                c -> ReadStatements.lastSeq(c, docId, clientId));
    }

    @Override
    public List<DocumentSummary> list() {
        return connections.withConnection("listing documents", ReadStatements::list);
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
                CommitStatements.appendAll(c, commits, dialect.errorsAbortTransaction());
                c.commit();
                committed();
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            return null;
        });
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
        return connections.withConnection("storing a chat message on document " + docId,
                c -> ChatStatements.add(c, dialect.chatIdColumn(), docId, userId, userName, text, timestamp));
    }

    @Override
    public List<ChatMessage> recentChat(String docId, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return connections.withConnection("reading the chat of document " + docId,
                c -> ChatStatements.recent(c, docId, limit));
    }

    // ---- helpers ------------------------------------------------------------------------

    private static String describe(List<DocumentCommit> commits) {
        int ops = commits.stream().mapToInt(commit -> commit.ops().size()).sum();
        String documents = commits.size() == 1 ? "document " + commits.get(0).docId() : commits.size() + " documents";
        return ops + " ops to " + documents;
    }
}
