package io.coedit.server.protocol;

import java.util.regex.Pattern;

/**
 * What a document id may be, for both edges: a WebSocket {@code doc} field and an HTTP path
 * segment ({@code /api/docs/<id>}) name documents the same way, so they share one rule.
 * Ids are path segments, hence URL-safe characters only (the web client's
 * {@code document-id.js} states the same rule for the browser).
 */
public final class DocumentId {
    /** 1 to 128 of {@code A-Za-z0-9._-}, starting with a letter or digit. */
    private static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private DocumentId() {
    }

    /** Whether {@code id} is a valid document id: 1 to 128 of {@code A-Za-z0-9._-}, starting with a letter or digit. */
    public static boolean isValid(String id) {
        return id != null && PATTERN.matcher(id).matches();
    }
}
