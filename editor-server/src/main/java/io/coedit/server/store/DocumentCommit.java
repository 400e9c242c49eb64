package io.coedit.server.store;

import java.util.List;

/**
 * Operations to append to a document whose head is {@code baseVersion}: {@code ops} carry
 * versions {@code baseVersion, baseVersion + 1, …}. A {@code snapshot}, when present, is
 * the text at one of the new versions and is stored in the same transaction.
 */
public record DocumentCommit(String docId, long baseVersion, List<StoredOp> ops, Snapshot snapshot) {
    public DocumentCommit {
        ops = List.copyOf(ops);
        for (int k = 0; k < ops.size(); k++) {
            if (ops.get(k).version() != baseVersion + k) {
                throw new IllegalArgumentException("op " + k + " of a commit at " + baseVersion
                        + " has version " + ops.get(k).version());
            }
        }
    }

    /** The head version after this commit. */
    public long headVersion() {
        return baseVersion + ops.size();
    }
}
