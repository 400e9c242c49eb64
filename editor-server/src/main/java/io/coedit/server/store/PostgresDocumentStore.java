package io.coedit.server.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DocumentStore} on a PostgreSQL server, which several server processes may share.
 * Opening it is {@link PostgresDatabase}; the SQL is the H2 store's ({@link JdbcDocumentStore}),
 * with two differences of dialect: PostgreSQL aborts a transaction at its first error, so a
 * unique violation the commit expects is taken back to a savepoint, and it names columns in
 * lower case.
 *
 * <h2>Concurrent writers</h2>
 * The serialisation point is the H2 store's: a commit moves each document's head with
 * {@code UPDATE documents ... WHERE version = base} in its transaction. Under PostgreSQL's
 * default isolation (read committed) a second writer at the same base waits for the first's
 * row lock, then re-reads the row, finds another version and updates nothing, so it throws
 * {@link VersionConflictException} and rolls back; a new document's first commit is an
 * insert that the primary key refuses to a second writer. Either way the loser changed
 * nothing, on whichever server process it runs. A commit of several documents takes their
 * row locks in document-id order (a stable sort, which keeps the order of two commits to one
 * document), so two processes committing overlapping sets wait for each other instead of
 * deadlocking.
 *
 * <h2>Health</h2>
 * A probe takes a connection from the pool every second and records whether it could;
 * {@link #unavailable()} answers from that record. While the database is away, calls fail
 * within {@link PostgresDatabase#CONNECTION_TIMEOUT_MILLIS} with a {@link StoreException};
 * when it is back the pool opens new connections and everything works again, with no restart.
 *
 * <p>No compaction: PostgreSQL's autovacuum keeps the tables in shape.
 */
public final class PostgresDocumentStore extends JdbcDocumentStore {
    private static final Logger log = LoggerFactory.getLogger(PostgresDocumentStore.class);
    private static final long PROBE_EVERY_MILLIS = 1_000;

    private final String url;
    private final HikariDataSource pool;
    private final ScheduledExecutorService probe;
    private volatile String unavailable;

    /**
     * Connects to the database at {@code url} ({@code jdbc:postgresql://host:port/database})
     * and brings its schema up to date.
     *
     * @param user the role to connect as, or null for the URL's or the driver's default
     * @param password its password, or null for none
     * @throws IllegalArgumentException if {@code url} is not a PostgreSQL JDBC URL
     * @throws StoreException if the database cannot be reached, refuses the credentials, has
     *     a schema newer than this build, or cannot be migrated; the message is one line and
     *     carries no password
     */
    public PostgresDocumentStore(String url, String user, String password) {
        this(PostgresDatabase.redacted(url), PostgresDatabase.open(url, user, password));
    }

    private PostgresDocumentStore(String url, HikariDataSource pool) {
        super(new StoreConnections(pool), Dialect.POSTGRESQL);
        this.url = url;
        this.pool = pool;
        this.probe = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "coedit-db-probe");
            t.setDaemon(true);
            return t;
        });
        probe.scheduleWithFixedDelay(this::probe, PROBE_EVERY_MILLIS, PROBE_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        log.info("document store open on {}", url);
    }

    /** Whether {@code url} is one this store opens. */
    public static boolean handles(String url) {
        return url.startsWith(PostgresDatabase.URL_PREFIX);
    }

    /** {@code url} with any {@code password} parameter blanked out, fit for a log or an error. */
    public static String redacted(String url) {
        return PostgresDatabase.redacted(url);
    }

    @Override
    public void commit(List<DocumentCommit> commits) {
        List<DocumentCommit> inLockOrder = new ArrayList<>(commits);
        inLockOrder.sort(Comparator.comparing(DocumentCommit::docId));
        super.commit(inLockOrder);
    }

    @Override
    public Optional<String> unavailable() {
        return Optional.ofNullable(unavailable);
    }

    private void probe() {
        String now;
        try (Connection c = pool.getConnection()) {
            now = c.isValid(1) ? null : "the database at " + url + " does not answer";
        } catch (Exception e) {
            now = "the database at " + url + " is unreachable: " + SchemaVersions.rootMessage(e);
        }
        if (now != null && unavailable == null) {
            log.warn("{}", now);
        } else if (now == null && unavailable != null) {
            log.info("the database at {} is reachable again", url);
        }
        unavailable = now;
    }

    @Override
    public void close() {
        probe.shutdownNow();
        if (!pool.isClosed()) {
            pool.close();
            log.info("document store on {} closed", url);
        }
    }

    @Override
    public String toString() {
        return "PostgresDocumentStore[" + url + "]";
    }
}
