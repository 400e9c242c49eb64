package io.coedit.server.auth;

import io.coedit.server.session.User;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * What one authenticated connection (or HTTP request) may do: who it is and which
 * documents it may read and write. Patterns are a document id, {@code *} for every
 * document, or a prefix ending in {@code *} ({@code team-*}). Writing implies reading.
 */
public final class Access {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String subject; // null for a guest of a server without a secret
    private final String name;
    private final List<String> read;
    private final List<String> write;
    private final java.time.Instant expires; // null: never

    Access(String subject, String name, List<String> read, List<String> write) {
        this(subject, name, read, write, null);
    }

    Access(String subject, String name, List<String> read, List<String> write, java.time.Instant expires) {
        this.subject = subject;
        this.name = name;
        this.read = List.copyOf(read);
        this.write = List.copyOf(write);
        this.expires = expires;
    }

    /**
     * When this access ends: the token's {@code exp} plus the clock skew the server allows,
     * or null if it does not end (no {@code exp}, or a server without tokens).
     */
    public java.time.Instant expires() {
        return expires;
    }

    static Access guest() {
        return new Access(null, null, List.of("*"), List.of("*"));
    }

    public boolean canRead(String docId) {
        return matches(read, docId) || matches(write, docId);
    }

    public boolean canWrite(String docId) {
        return matches(write, docId);
    }

    private static boolean matches(List<String> patterns, String docId) {
        for (String p : patterns) {
            if (p.equals(docId) || p.equals("*") || (p.endsWith("*") && docId.startsWith(p.substring(0, p.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The user behind a connection with client id {@code clientId}. A guest is its own user
     * (id = client id), named as it asked to be; a token's subject and name win over
     * anything the client says.
     */
    public User user(String clientId, String requestedName) {
        String id = subject != null ? subject : clientId;
        String shown = name != null ? name : requestedName != null ? requestedName
                : subject != null ? subject : "Guest " + clientId.substring(Math.max(0, clientId.length() - 4));
        return new User(id, shown, Palette.colorOf(id));
    }

    /**
     * Whether this user may continue as {@code clientId}. Resubmissions are deduplicated by
     * client id, so a user who could take over another user's id could have that user's
     * next edits acknowledged without being applied. Ids handed to an authenticated user
     * therefore start with a digest of the subject; a guest (no secret configured) can be
     * anyone anyway.
     */
    public boolean mayUseClientId(String clientId) {
        return subject == null || clientId.startsWith(clientIdPrefix());
    }

    /** A fresh client id for this user. */
    public String newClientId() {
        byte[] random = new byte[15];
        RANDOM.nextBytes(random);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        return subject == null ? id : clientIdPrefix() + id;
    }

    private String clientIdPrefix() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(subject.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 10) + ".";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return (subject == null ? "guest" : subject) + " read=" + read + " write=" + write;
    }
}
