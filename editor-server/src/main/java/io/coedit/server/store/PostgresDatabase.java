package io.coedit.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.regex.Pattern;

/**
 * What is PostgreSQL's own in opening the store: the pool and its connection settings, and
 * the Flyway migrations of {@code db/postgresql}, refusing a database whose schema is newer
 * than this build. Every failure here is one line that names the URL without its password,
 * because it is what an operator reads when the server does not start.
 *
 * <h2>Durability</h2>
 * Every connection sets {@code synchronous_commit} on, whatever the server's or the role's
 * default: a commit returns only once PostgreSQL has flushed its WAL record, so an ack never
 * names an operation a crash of the database could lose.
 */
final class PostgresDatabase {

    /** The scheme of the URLs this store opens. */
    static final String URL_PREFIX = "jdbc:postgresql:";

    /**
     * Connections in the pool. Commits of one node are already grouped into few
     * transactions; a few connections let reads and chat proceed beside them.
     */
    private static final int POOL_SIZE = 8;

    /**
     * How long a call waits for a connection before it fails: while the database is away a
     * commit fails within this, its submitters get {@code internal} and resend.
     */
    static final long CONNECTION_TIMEOUT_MILLIS = 2_000;

    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;]password=)[^&;]*");

    private PostgresDatabase() {}

    /**
     * A pool on the database at {@code url}, its schema brought up to date.
     *
     * @throws StoreException if the database cannot be reached, refuses the credentials, has
     *     a schema newer than this build, or cannot be migrated
     */
    static HikariDataSource open(String url, String user, String password) {
        if (!url.startsWith(URL_PREFIX)) {
            throw new IllegalArgumentException("not a PostgreSQL URL (" + URL_PREFIX + "//host:port/database): "
                    + redacted(url));
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setDriverClassName("org.postgresql.Driver");
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(POOL_SIZE);
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
        config.setValidationTimeout(1_000);
        config.setConnectionInitSql("SET synchronous_commit TO on");
        config.addDataSourceProperty("ApplicationName", "coedit");
        config.setPoolName("coedit-postgresql");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to the database at " + redacted(url)
                    + (user == null ? "" : " as " + user) + ": " + SchemaVersions.rootMessage(e), e);
        }
        SchemaVersions.migrate(pool, "classpath:db/postgresql", "the database at " + redacted(url));
        return pool;
    }

    /** {@code url} with the value of any {@code password} parameter blanked out, fit for a log. */
    static String redacted(String url) {
        return PASSWORD_PARAMETER.matcher(url).replaceAll("$1***");
    }

}
