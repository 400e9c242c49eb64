package io.coedit.server.store;

/**
 * The database behind a store failed or refused a statement: the disk, the schema, a
 * constraint the store did not expect. Unchecked, because a caller can only log it and,
 * for a commit, reload the document from what is durable.
 */
public final class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
