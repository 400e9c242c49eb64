package io.coedit.server.store;

import com.zaxxer.hikari.HikariDataSource;
import io.coedit.server.internal.DaemonThreads;
import io.coedit.server.internal.Shutdown;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the H2 database file from growing with every commit, by compacting it every second
 * in which something was committed, through H2's internals (which is why this is H2's own
 * and kept apart from the store's SQL).
 *
 * <p>Why by hand: H2 compacts in its background writer, which {@code WRITE_DELAY=0} turns
 * off. Without this every commit left its chunk (~20 KB for a commit to ten documents)
 * in the file for good: 4 GB after three minutes of ~700 commits a second, growing
 * linearly. H2 offers no SQL command for it ({@code CHECKPOINT} did not stop the growth),
 * so this reaches the {@code MVStore} under the connection; should a later H2 move it,
 * compaction logs a warning once and stops, and the store works as before.
 */
final class H2Compactor {
    private static final Logger log = LoggerFactory.getLogger(H2Compactor.class);

    /** How often the file is compacted, if anything was committed meanwhile. */
    private static final long MAINTENANCE_PERIOD_MILLIS = 1_000;

    /** Chunks with fewer live bytes than this percentage have their live pages rewritten. */
    private static final int COMPACT_BELOW_FILL_RATE = 80;

    /** At most this many bytes of live pages are rewritten a round, to keep each round short. */
    private static final int COMPACT_MAX_BYTES = 16 << 20;

    private final Path folder;
    private final HikariDataSource pool;
    private final StoreConnections connections;
    private final ScheduledExecutorService maintenance;
    private final AtomicBoolean changedSinceMaintenance = new AtomicBoolean();

    /** Starts compacting the database {@code pool} opens in {@code folder} (named in warnings). */
    H2Compactor(Path folder, HikariDataSource pool, StoreConnections connections) {
        this.folder = folder;
        this.pool = pool;
        this.connections = connections;
        this.maintenance = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("coedit-h2-maintenance"));
        maintenance.scheduleWithFixedDelay(this::maintainIfChanged, MAINTENANCE_PERIOD_MILLIS, MAINTENANCE_PERIOD_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /** Notes that a commit went in, so the next round compacts. */
    void changed() {
        changedSinceMaintenance.set(true);
    }

    /**
     * Compacts the database file: rewrites the live pages of chunks that are mostly dead, so
     * that H2 can free those chunks (once its retention time has passed) and write new ones
     * in their space.
     */
    void maintain() {
        connections.withConnection("compacting the database file", c -> {
            MVStore mvStore = ((SessionLocal) c.unwrap(JdbcConnection.class).getSession())
                    .getDatabase().getStore().getMvStore();
            mvStore.compact(COMPACT_BELOW_FILL_RATE, COMPACT_MAX_BYTES);
            return null;
        });
    }

    private void maintainIfChanged() {
        if (!changedSinceMaintenance.getAndSet(false)) {
            return;
        }
        try {
            maintain();
        } catch (RuntimeException | LinkageError e) {
            if (pool.isClosed()) {
                return;
            }
            log.warn("compacting the database file in {} failed; no further compaction until restart", folder, e);
            maintenance.shutdown();
        }
    }

    /** Stops compacting, waiting for a round under way to finish. */
    void close() {
        Shutdown.nowAndAwait(maintenance, 10, TimeUnit.SECONDS);
    }
}
