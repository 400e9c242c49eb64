package io.coedit.server.store;

import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

/**
 * Bringing a SQL store's schema up to date, the same way for H2 and PostgreSQL: refuse a
 * database newer than this build, then run the migrations of the store's dialect.
 */
final class SchemaVersions {

    private SchemaVersions() {}

    /**
     * Migrates the database behind {@code pool} with the scripts under {@code location}; on any
     * failure closes the pool and throws a one-line {@link StoreException} naming {@code database}.
     */
    static void migrate(com.zaxxer.hikari.HikariDataSource pool, String location, String database) {
        try {
            Flyway flyway = Flyway.configure().dataSource(pool).locations(location).load();
            refuseNewer(flyway, database);
            flyway.migrate();
        } catch (StoreException e) {
            pool.close();
            throw e;
        } catch (RuntimeException e) {
            pool.close();
            throw new StoreException("cannot bring the schema of " + database + " up to date: " + rootMessage(e), e);
        }
    }

    /** The innermost message of {@code e}, on one line. */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * Refuses a database that a newer build has migrated: this build would not know what its
     * tables mean. Flyway by default ignores such "future" migrations and carries on.
     *
     * @param database how to name the database in the message, e.g. "the database at URL"
     * @throws StoreException if the database holds a migration this build does not have
     */
    static void refuseNewer(Flyway flyway, String database) {
        List<String> future = new ArrayList<>();
        for (MigrationInfo applied : flyway.info().applied()) {
            if (applied.getState() == MigrationState.FUTURE_SUCCESS || applied.getState() == MigrationState.FUTURE_FAILED) {
                future.add(String.valueOf(applied.getVersion()));
            }
        }
        if (future.isEmpty()) {
            return;
        }
        String known = "none";
        for (MigrationInfo m : flyway.info().all()) {
            if (m.getState().isResolved() && m.getVersion() != null) {
                known = m.getVersion().toString();
            }
        }
        throw new StoreException(database + " has schema version " + future.get(future.size() - 1)
                + ", newer than this server knows (" + known + "): run a newer coedit editor-server", null);
    }
}
