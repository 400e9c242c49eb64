package io.coedit.server.store;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link DocumentStore}: an embedded H2 database file in a data folder. Opening
 * it (the file, its URL settings, the pool, the migrations) is {@link H2Database}; keeping
 * the file small is {@link H2Compactor}. The SQL it runs is in {@link ReadStatements},
 * {@link CommitStatements} and {@link ChatStatements}, held together by
 * {@link JdbcDocumentStore}, which it shares with {@link PostgresDocumentStore}.
 */
public final class H2DocumentStore extends JdbcDocumentStore {
    private static final Logger log = LoggerFactory.getLogger(H2DocumentStore.class);

    private final Path folder;
    private final HikariDataSource pool;
    private final H2Compactor compactor;

    /**
     * Opens (creating if needed) the store in {@code dataFolder}, and brings its schema up to
     * date.
     *
     * @throws StoreException if the folder cannot be created, the database cannot be opened
     *     (for example because another process holds it) or migrated
     */
    public H2DocumentStore(Path dataFolder) {
        this(Opened.open(dataFolder));
    }

    private H2DocumentStore(Opened opened) {
        super(new StoreConnections(opened.pool), Dialect.H2);
        this.folder = opened.folder;
        this.pool = opened.pool;
        this.compactor = new H2Compactor(folder, pool, connections);
        log.info("document store open in {}", folder);
    }

    /** The folder and the pool on its database, opened before the store is built around them. */
    private record Opened(Path folder, HikariDataSource pool) {
        static Opened open(Path dataFolder) {
            Path folder = H2Database.createFolder(dataFolder);
            return new Opened(folder, H2Database.open(folder));
        }
    }

    /** Compacts the database file now rather than at the next round (see {@link H2Compactor}). */
    void maintain() {
        compactor.maintain();
    }

    /** The absolute data folder this store keeps its database in. */
    public Path folder() {
        return folder;
    }

    @Override
    void committed() {
        compactor.changed();
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
}
