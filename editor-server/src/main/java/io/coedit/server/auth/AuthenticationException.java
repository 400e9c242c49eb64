package io.coedit.server.auth;

/** A token that does not let its bearer in; the message says why, without echoing the token. */
public final class AuthenticationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AuthenticationException(String message) {
        super(message, null, false, false);
    }
}
