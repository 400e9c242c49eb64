package io.coedit.server.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coedit.server.auth.Authenticator;
import io.coedit.server.metrics.ServerMetrics;
import io.coedit.server.protocol.ProtocolCodec;
import io.coedit.server.session.DocumentService;
import io.coedit.server.store.InMemoryDocumentStore;
import jakarta.websocket.CloseReason;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * However a connection ends, and on whichever thread, the gateway and the document service let
 * go of it: no connection stays registered and no document keeps it as a subscriber.
 */
class ConnectionEndTest {
    private static final int ROUNDS = 20;

    /**
     * A connection can end on another thread while its read thread is handling a frame: Tyrus
     * reports a failed write or a lost socket from whichever thread saw it, and the idle check
     * runs on the gateway's timer. When that close lands while an {@code open} is being handled
     * (after the read thread found the connection open, before the service recorded the
     * subscription), the document must not keep the departed connection as a subscriber.
     *
     * <p>The open frame is padded with JSON whitespace to widen that window to the time it takes
     * to measure and decode half a megabyte, and the close starts as the frame is handed over, so
     * that most rounds land in it (before the fix, 6 and 12 of 20 did); a round that closes
     * before the read thread looks simply sees a closed connection.
     */
    @Test
    void aCloseOnAnotherThreadWhileAnOpenIsHandledLeavesNoSubscriber() throws Exception {
        DocumentService service = new DocumentService(new InMemoryDocumentStore(), DocumentService.Settings.defaults(),
                Clock.systemUTC());
        WebSocketGateway gateway = new WebSocketGateway(service, Authenticator.open(), new ProtocolCodec(id -> "#000000"),
                new ServerMetrics(service), ConnectionLimits.defaults(), List.of());
        try {
            String padding = " ".repeat(ConnectionLimits.defaults().maxMessageBytes() / 2);
            for (int round = 0; round < ROUNDS; round++) {
                Connection connection = new Connection(gateway);
                FakeSession session = new FakeSession();
                connection.onOpen(session.proxy, null);
                session.text("{\"type\":\"hello\",\"clientId\":\"c" + round + "\"}");
                assertEquals("c" + round, connection.clientId(), "hello taken");

                String open = "{\"type\":\"open\",\"doc\":\"race-" + round + "\"" + padding + "}";
                CountDownLatch handing = new CountDownLatch(1);
                Thread reader = new Thread(() -> {
                    handing.countDown();
                    session.text(open);
                }, "read-thread");
                reader.start();
                handing.await();
                connection.onClose(session.proxy, new CloseReason(CloseReason.CloseCodes.CLOSED_ABNORMALLY, "lost"));
                reader.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertEquals(0, gateway.connections(), "connections still registered");
            // A close queued behind an open runs soon after it; a subscriber nobody closes stays.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (service.connectedPeers() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, service.connectedPeers(), "connections that closed while opening still subscribed, of " + ROUNDS);
        } finally {
            gateway.close();
            service.close();
        }
    }

    /**
     * Tyrus tells the endpoint that its session ended through {@code onClose}, and when the
     * server closes, it does so from inside {@code session.close}. But when the server's close
     * (after a failed write, say) meets the client's close or the lost socket being handled on
     * another thread, Tyrus 2.2.2 can lose that report: its {@code TyrusSession.setState} checks
     * the state, our close sets it to closed, and its re-check throws inside its own
     * {@code onClose}, before the endpoint is called (seen in the churn test: a connection, its
     * peer and its document held until the idle timeout). The session here loses the report
     * every time; a close the server starts must end the connection all the same.
     */
    @Test
    void aCloseTheServerStartsEndsTheConnectionEvenIfOnCloseNeverComes() throws Exception {
        DocumentService service = new DocumentService(new InMemoryDocumentStore(), DocumentService.Settings.defaults(),
                Clock.systemUTC());
        WebSocketGateway gateway = new WebSocketGateway(service, Authenticator.open(), new ProtocolCodec(id -> "#000000"),
                new ServerMetrics(service), ConnectionLimits.defaults(), List.of());
        try {
            Connection connection = new Connection(gateway);
            FakeSession session = new FakeSession();
            connection.onOpen(session.proxy, null);
            session.text("{\"type\":\"hello\",\"clientId\":\"c\"}");
            session.text("{\"type\":\"open\",\"doc\":\"lost-report\"}");
            awaitTrue(() -> session.sent.stream().anyMatch(m -> m.contains("\"opened\"")), "opened: " + session.sent);
            assertEquals(1, gateway.connections());
            assertEquals(1, service.connectedPeers());

            session.failWrites = true; // the client is gone: the pong's write fails, the server closes
            session.text("{\"type\":\"ping\"}");
            awaitTrue(() -> session.closes.get() > 0, "the server closed the session");
            awaitTrue(() -> gateway.connections() == 0, "connection still registered after the server closed it");
            awaitTrue(() -> service.connectedPeers() == 0, "peer still subscribed after the server closed its connection");
        } finally {
            gateway.close();
            service.close();
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String message) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(message);
            }
            Thread.sleep(10);
        }
    }

    /**
     * The few parts of a WebSocket session a connection uses: it keeps the message handlers,
     * takes every text sent (completing it at once) as the socket would, or fails it once the
     * client is gone, and counts closes without reporting them back, as Tyrus does when it loses
     * the report.
     */
    private static final class FakeSession {
        final Map<Class<?>, MessageHandler.Whole<Object>> handlers = new ConcurrentHashMap<>();
        final List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger closes = new java.util.concurrent.atomic.AtomicInteger();
        volatile boolean failWrites;
        final Session proxy;

        @SuppressWarnings("unchecked")
        FakeSession() {
            Session[] self = new Session[1];
            RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {RemoteEndpoint.Async.class}, (p, method, args) -> {
                        if (method.getName().equals("sendText") && args.length == 2 && args[1] instanceof SendHandler h) {
                            if (failWrites) {
                                h.onResult(new SendResult(self[0], new java.io.IOException("Broken pipe")));
                            } else {
                                sent.add((String) args[0]);
                                h.onResult(new SendResult(self[0]));
                            }
                            return null;
                        }
                        return defaultValue(method.getReturnType());
                    });
            self[0] = (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                    (p, method, args) -> switch (method.getName()) {
                        case "getAsyncRemote" -> remote;
                        case "getNegotiatedExtensions" -> List.of();
                        case "addMessageHandler" -> {
                            if (args.length == 2) {
                                handlers.put((Class<?>) args[0], (MessageHandler.Whole<Object>) args[1]);
                            }
                            yield null;
                        }
                        case "close" -> {
                            closes.incrementAndGet();
                            yield null;
                        }
                        case "isOpen" -> closes.get() == 0;
                        case "toString" -> "FakeSession";
                        case "hashCode" -> System.identityHashCode(p);
                        case "equals" -> p == args[0];
                        default -> defaultValue(method.getReturnType());
                    });
            proxy = self[0];
        }

        void text(String frame) {
            handlers.get(String.class).onMessage(frame);
        }

        private static Object defaultValue(Class<?> type) {
            if (type == boolean.class) {
                return false;
            }
            if (type == int.class || type == long.class) {
                return type == int.class ? (Object) 0 : (Object) 0L;
            }
            return null;
        }
    }
}
