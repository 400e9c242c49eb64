package io.coedit.server.protocol;

import io.coedit.ot.json.OpJson;
import io.coedit.server.session.ServerMessage;
import io.coedit.server.session.User;
import java.util.function.Function;

/**
 * Protocol v1 on the wire: client frames in, server frames out, one JSON object per
 * WebSocket text frame (docs/PROTOCOL.md is the contract).
 *
 * <p>The one protocol type a transport holds. Reading and validating is
 * {@link ClientMessageDecoder}'s job, writing {@link ServerMessageEncoder}'s; both stay
 * package-private behind this class, so the WebSocket edge wires and passes around a single
 * codec and sees neither half.
 *
 * <p>Thread-safe and stateless.
 */
public final class ProtocolCodec {
    private final ClientMessageDecoder decoder;
    private final ServerMessageEncoder encoder;

    /**
     * @param colorOf the caret colour of a user id, for chat messages, which are stored with
     *     the user's id and name only
     */
    public ProtocolCodec(Function<String, String> colorOf) {
        this(OpJson.standard(), colorOf);
    }

    ProtocolCodec(OpJson opJson, Function<String, String> colorOf) {
        this.decoder = new ClientMessageDecoder(opJson);
        this.encoder = new ServerMessageEncoder(opJson, colorOf);
    }

    /** The request in {@code frame}; throws {@link ProtocolException} saying what is wrong with it. */
    public ClientMessage decode(String frame) {
        return decoder.decode(frame);
    }

    /** The JSON frame of {@code message}. */
    public String encode(ServerMessage message) {
        return encoder.encode(message);
    }

    /** The reply to a successful {@code hello}, saying {@code batch} only to a client that asked for it. */
    public String welcome(String clientId, User user, boolean batch) {
        return encoder.welcome(clientId, user, batch);
    }

    /** The reply to {@code ping}. */
    public String pong() {
        return encoder.pong();
    }
}
