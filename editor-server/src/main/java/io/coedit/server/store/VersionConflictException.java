package io.coedit.server.store;

/**
 * A commit named a base version that is no longer the document's head: another writer got
 * there first. The caller transforms its operations past the new history and tries again.
 */
public final class VersionConflictException extends RuntimeException {
    private final String docId;
    private final long expected;
    private final long actual;

    public VersionConflictException(String docId, long expected, long actual) {
        super("document " + docId + " is at version " + actual + ", not " + expected);
        this.docId = docId;
        this.expected = expected;
        this.actual = actual;
    }

    public String docId() {
        return docId;
    }

    public long expected() {
        return expected;
    }

    public long actual() {
        return actual;
    }
}
