package io.coedit.server.store;

import io.coedit.ot.TextOperation;

/**
 * One committed operation of a document's history: {@code op} applies to the document at
 * {@code version} and produces version {@code version + 1}. {@code clientId} and
 * {@code seq} identify the submission, so a resubmission is recognised.
 */
public record StoredOp(long version, TextOperation op, String clientId, long seq, String userId, long timestamp) {}
