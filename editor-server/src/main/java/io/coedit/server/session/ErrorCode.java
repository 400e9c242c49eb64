package io.coedit.server.session;

/** The stable error codes of protocol v1; the wire form is the lower-case name. */
public enum ErrorCode {
    BAD_REQUEST,
    HELLO_REQUIRED,
    UNAUTHORIZED,
    FORBIDDEN,
    NOT_OPEN,
    INVALID_OP,
    VERSION_AHEAD,
    HISTORY_GONE,
    TOO_LARGE,
    RATE_LIMITED,
    INTERNAL,
    INVALID_NAME,
    /** An op whose transform to the head would cost more than the limit; see {@code DocumentService.WorkLimits}. */
    TOO_COSTLY;

    /** The code as it appears on the wire, e.g. {@code invalid_op}. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
