package io.coedit.server.protocol;

import io.coedit.server.session.ErrorCode;
import io.coedit.server.session.ServerMessage;

/**
 * A request the server refuses before it reaches a document: the error to send back,
 * with the document and sequence number when the request named them, so that a client can
 * tell which of its requests failed.
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ServerMessage.Error error;

    public ProtocolException(ErrorCode code, String message, String doc, Long seq) {
        super(message, null, false, false);
        this.error = new ServerMessage.Error(code, message, doc, seq);
    }

    public ProtocolException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    public ErrorCode code() {
        return error.code();
    }

    /** The error message to send to the client. */
    public ServerMessage.Error error() {
        return error;
    }
}
