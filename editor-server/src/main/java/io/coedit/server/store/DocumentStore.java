package io.coedit.server.store;

import java.util.List;
import java.util.Optional;

/**
 * Where documents live: each document is a linear history of operations (kept: it is the
 * audit trail and the time machine) with snapshots every so often so that loading is a
 * snapshot plus a short replay, and its chat.
 *
 * <p>{@link #commit} is optimistic: it appends only if the document is still at the base
 * version the caller transformed against, and otherwise throws
 * {@link VersionConflictException} having changed nothing. On one node each document has
 * one writer, so a conflict means a bug; with several nodes sharing a database it is the
 * serialisation point, and the loser transforms and retries.
 *
 * <p>Implementations are thread-safe. A document that was never committed to has version 0
 * and the empty text. A failure of the storage underneath surfaces as an unchecked
 * {@link StoreException}.
 */
public interface DocumentStore extends AutoCloseable {

    /** The head version of a document, 0 if it has no history. */
    long headVersion(String docId);

    /** The newest snapshot at or below {@code version}, if any. */
    Optional<Snapshot> snapshotAtOrBelow(String docId, long version);

    /** Operations with versions in {@code [from, to)}, in order; fewer if the history is shorter. */
    List<StoredOp> ops(String docId, long from, long to);

    /** The committed operation a client submitted as {@code seq}, if it was committed. */
    Optional<StoredOp> findSubmission(String docId, String clientId, long seq);

    /** The highest sequence number committed for a client on a document, 0 if none. */
    long lastSeq(String docId, String clientId);

    /**
     * Appends every commit in one transaction: all or nothing. Durable when it returns.
     * Commits apply in list order, so two commits of one document may follow each other
     * (the second based on the first's head).
     *
     * @throws VersionConflictException if a document's head is not its commit's base version
     * @throws IllegalStateException if an operation's {@code seq} is not above every seq its
     *     client has committed to the document, in the store or earlier in the call: clients
     *     number their submissions upwards, so that is a repeat
     * @throws StoreException if the database fails
     */
    void commit(List<DocumentCommit> commits);

    /**
     * Every document that has history, most recently changed first (by the newest operation
     * timestamp; ties by id).
     */
    List<DocumentSummary> list();

    /** Stores a chat message and returns it with its id. */
    ChatMessage addChat(String docId, String userId, String userName, String text, long timestamp);

    /** The last {@code limit} chat messages of a document, oldest first; none if {@code limit} is not positive. */
    List<ChatMessage> recentChat(String docId, int limit);

    /**
     * Why the store cannot serve now (its database is unreachable, say), or empty if it can
     * as far as it knows. Answers at once from what the store last saw, never by waiting on
     * the database, so a health check may call it as often as it likes. An embedded store is
     * never unavailable in this sense: its failures surface from the calls themselves.
     */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /** Releases the store; commits that returned stay durable. */
    @Override
    void close();
}
