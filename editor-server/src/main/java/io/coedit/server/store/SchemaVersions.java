package io.coedit.server.store;

import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

/** The check both SQL stores make before migrating: is the database newer than this build? */
final class SchemaVersions {

    private SchemaVersions() {}

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
