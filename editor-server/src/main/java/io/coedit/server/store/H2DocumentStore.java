package io.coedit.server.store;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link DocumentStore}: an embedded H2 database file in a data folder. Opening
 * it (the file, its URL settings, the pool, the migrations) is {@link H2Database}; keeping
 * the file small is {@link H2Compactor}. The SQL it runs is in {@link ReadStatements},
 * {@link CommitStatements} and {@link ChatStatements}; this class holds them together: it
 * names what each call does for the {@link StoreException} it may raise, and opens and
 * ends the one transaction of a commit.
 */
public final class H2DocumentStore implements DocumentStore {
    private static final Logger log = LoggerFactory.getLogger(H2DocumentStore.class);

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
                CommitStatements.appendAll(c, commits);
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
                c -> ChatStatements.add(c, docId, userId, userName, text, timestamp));
    }

    @Override
    public List<ChatMessage> recentChat(String docId, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return connections.withConnection("reading the chat of document " + docId,
                c -> ChatStatements.recent(c, docId, limit));
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

    private static String describe(List<DocumentCommit> commits) {
        int ops = commits.stream().mapToInt(commit -> commit.ops().size()).sum();
        String documents = commits.size() == 1 ? "document " + commits.get(0).docId() : commits.size() + " documents";
        return ops + " ops to " + documents;
    }
}
