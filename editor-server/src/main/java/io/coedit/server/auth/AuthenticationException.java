package io.coedit.server.auth;

import io.coedit.server.session.ErrorCode;

/** A token that does not let its bearer in; the message says why, without echoing the token. */
public final class AuthenticationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    AuthenticationException(String message) {
        this(ErrorCode.UNAUTHORIZED, message);
    }

    AuthenticationException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    /** The error code of protocol v1 for it: {@code unauthorized}, or {@code invalid_name} for the token's name claim. */
    public ErrorCode code() {
        return code;
    }
}
