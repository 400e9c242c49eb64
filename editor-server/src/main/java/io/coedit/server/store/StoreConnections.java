package io.coedit.server.store;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs a piece of SQL work on a pooled connection and turns a database failure into a
 * {@link StoreException} that says what was being done, so that no {@link SQLException}
 * leaves the store. Nothing here depends on the database underneath.
 */
final class StoreConnections {

    /** Work on one connection; the connection goes back to the pool when it returns. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource pool;

    StoreConnections(DataSource pool) {
        this.pool = pool;
    }

    /** Runs {@code work} on a pooled connection; a database failure becomes a {@link StoreException}. */
    <T> T withConnection(String what, SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException(what + " failed: " + e.getMessage(), e);
        }
    }
}
