package io.coedit.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What is H2's own in opening the store: where the database file lives in the data folder,
 * the URL settings that keep commits durable, the pool, and the Flyway migrations run on
 * open. A store on another database would have its own of these; the SQL run once the
 * database is open ({@link ReadStatements}, {@link CommitStatements},
 * {@link ChatStatements}) is not H2's own.
 *
 * <h2>Durability</h2>
 * Every connection URL carries {@code WRITE_DELAY=0}, so H2 writes each commit to the file
 * before {@link H2DocumentStore#commit} returns; without it, commits acknowledged in the last
 * second were lost when the process was killed. H2 does not fsync each commit, so a returned
 * commit survives a crash of the process, not a loss of power. {@code DB_CLOSE_ON_EXIT=FALSE}
 * keeps H2's own shutdown hook from closing the database under a server that is still
 * flushing its last commits: the owner closes the store, last, in its own shutdown.
 */
final class H2Database {

    /** The name of the database inside the data folder (its file is {@code coedit.mv.db}). */
    static final String DATABASE_NAME = "coedit";

    /**
     * Connections in the pool. Commits to one H2 file are written one after another anyway;
     * a few connections let reads and chat proceed while a commit is written.
     */
    private static final int POOL_SIZE = 8;

    private H2Database() {}

    /**
     * The absolute form of {@code dataFolder}, created if missing.
     *
     * @throws StoreException if the folder cannot be created
     */
    static Path createFolder(Path dataFolder) {
        // H2 refuses relative database paths (error 90011).
        Path folder = dataFolder.toAbsolutePath().normalize();
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new StoreException("cannot create the data folder " + folder + ": " + e.getMessage(), e);
        }
        return folder;
    }

    /**
     * A pool on the database in an absolute {@code folder}, its schema brought up to date.
     *
     * @throws StoreException if the database cannot be opened (for example because another
     *     process holds it) or migrated
     */
    static HikariDataSource open(Path folder) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl(folder));
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(POOL_SIZE);
        config.setPoolName("coedit-h2");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the database in " + folder + ": " + SchemaVersions.rootMessage(e), e);
        }
        SchemaVersions.migrate(pool, "classpath:db/migration", "the database in " + folder);
        return pool;
    }

    /**
     * The JDBC URL of the database in an absolute {@code folder}. {@code WRITE_DELAY=0} must
     * be in every URL that opens it: H2 does not remember it, and a connection without it
     * would bring back the default delay for the whole database.
     */
    static String jdbcUrl(Path folder) {
        String path = folder.resolve(DATABASE_NAME).toString();
        if (path.indexOf(';') >= 0) {
            // H2 would read what follows as a setting.
            throw new IllegalArgumentException("the data folder path must not contain ';': " + folder);
        }
        return "jdbc:h2:file:" + path + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }

}
