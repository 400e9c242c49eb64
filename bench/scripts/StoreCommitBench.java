import io.coedit.ot.TextOperation;
import io.coedit.server.store.DocumentCommit;
import io.coedit.server.store.DocumentStore;
import io.coedit.server.store.H2DocumentStore;
import io.coedit.server.store.PostgresDocumentStore;
import io.coedit.server.store.StoredOp;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Times a store's {@code commit} alone, in one JVM: each transaction holds DOCS documents x
 * OPS one-character inserts, as the group committer would hand it over. The first quarter of
 * the transactions warms up; the rest are timed. Without a URL the store is H2 in a new
 * temporary folder (no network); with a {@code jdbc:postgresql} URL it is PostgreSQL (user and
 * password from COEDIT_DB_USER and COEDIT_DB_PASSWORD), on documents named anew for each run
 * so that one database serves many runs.
 *
 * <pre>
 * java -cp editor-server/target/editor-server.jar bench/scripts/StoreCommitBench.java DOCS OPS TRANSACTIONS [URL]
 * </pre>
 *
 * A single-file program on purpose: it needs the server's classes, which the bench jar does
 * not carry.
 */
public class StoreCommitBench {
    public static void main(String[] args) throws Exception {
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: StoreCommitBench DOCS OPS TRANSACTIONS [jdbc:postgresql://host:port/database]");
            System.exit(2);
        }
        int docs = Integer.parseInt(args[0]);
        int opsPerDoc = Integer.parseInt(args[1]);
        int transactions = Integer.parseInt(args[2]);
        String run = Long.toString(System.currentTimeMillis(), 36);
        long[] heads = new long[docs];
        long seq = 0;
        long start = 0;
        int warmUp = transactions / 4;
        try (DocumentStore store = args.length == 4
                ? new PostgresDocumentStore(args[3], System.getenv("COEDIT_DB_USER"), System.getenv("COEDIT_DB_PASSWORD"))
                : new H2DocumentStore(Files.createTempDirectory("store-commit-bench"))) {
            for (int t = 0; t < transactions; t++) {
                if (t == warmUp) {
                    start = System.nanoTime();
                }
                List<DocumentCommit> commits = new ArrayList<>(docs);
                for (int d = 0; d < docs; d++) {
                    List<StoredOp> ops = new ArrayList<>(opsPerDoc);
                    for (int k = 0; k < opsPerDoc; k++) {
                        long version = heads[d] + k;
                        ops.add(new StoredOp(version, TextOperation.insert((int) Math.min(version, 3), "x"),
                                "client-" + k, ++seq, "user-" + k, System.currentTimeMillis()));
                    }
                    commits.add(new DocumentCommit("doc-" + run + "-" + d, heads[d], ops, null));
                    heads[d] += opsPerDoc;
                }
                store.commit(commits);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int timed = transactions - warmUp;
            System.out.printf(Locale.ROOT, "%s, %d documents x %d ops a transaction: %.2f ms a commit, %.0f ops/s (%d timed)%n",
                    args.length == 4 ? "PostgreSQL" : "H2", docs, opsPerDoc, seconds * 1000 / timed, (double) timed * docs * opsPerDoc / seconds, timed);
        }
    }
}
