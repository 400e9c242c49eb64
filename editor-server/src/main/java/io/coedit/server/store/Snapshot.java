package io.coedit.server.store;

/** The whole text of a document at {@code version}. */
public record Snapshot(long version, String text) {}
