package io.coedit.server.store;

/** A document as listed: its id, head version and when it last changed (epoch millis). */
public record DocumentSummary(String id, long version, long updated) {}
