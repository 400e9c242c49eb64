package io.coedit.server.ws;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Map;
import java.util.Set;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * Tyrus's engine inside a server container, for Tyrus's {@code WebSocketAddOn} to put on a
 * Grizzly listener we built ourselves. Tyrus's own Grizzly container would build (and bind
 * on every interface) a server of its own; this one never starts anything: the
 * {@code HttpServer} around it does.
 */
final class EngineContainer extends TyrusServerContainer {
    private final TyrusWebSocketEngine engine;

    /**
     * Tyrus's own limit of sessions per remote address is not used: it counts a session down
     * when it closes, while its socket may stay; the gateway counts sockets.
     */
    EngineContainer(int incomingBufferSize) {
        super(Set.<Class<?>>of());
        this.engine = TyrusWebSocketEngine.builder(this)
                .incomingBufferSize(incomingBufferSize)
                .build();
    }

    @Override
    public void register(Class<?> endpointClass) throws DeploymentException {
        engine.register(endpointClass, "");
    }

    @Override
    public void register(ServerEndpointConfig config) throws DeploymentException {
        engine.register(config, "");
    }

    @Override
    public Map<String, Object> getProperties() {
        return Map.of();
    }

    @Override
    public WebSocketEngine getWebSocketEngine() {
        return engine;
    }
}
