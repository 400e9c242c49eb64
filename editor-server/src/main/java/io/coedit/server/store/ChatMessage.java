package io.coedit.server.store;

/** A chat message kept with a document; {@code id} grows with each message of the store. */
public record ChatMessage(long id, String docId, String userId, String userName, String text, long timestamp) {}
