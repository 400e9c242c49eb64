package io.coedit.server.ws;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Which pages may open a WebSocket to this server. The check is against cross-site
 * WebSocket hijacking: a page elsewhere that a user visits opening a socket to this server
 * with the user's network position (and, some day, cookies). Only browsers send
 * {@code Origin}, and browsers always send it on a WebSocket handshake, so a handshake
 * without one comes from a program, not a page, and is allowed: it gains nothing a program
 * could not do anyway, and tokens still apply.
 *
 * <p>Allowed: the server's own origin (its bind address and port, http or https), the
 * configured origins, and — only when none are configured — pages served from a loopback
 * name (localhost, 127.0.0.1, [::1]) on any port, which is where development servers live.
 * A configured {@code *} allows every origin. The opaque origin {@code null} (sandboxed
 * frames, files) is refused.
 */
final class OriginPolicy {
    private record Origin(String scheme, String host, int port) {
        static Origin parse(String text) {
            URI uri = URI.create(text.trim());
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
            String host = uri.getHost() == null ? null : uri.getHost().toLowerCase(Locale.ROOT);
            if (scheme == null || host == null || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
                throw new IllegalArgumentException("not an origin (scheme://host[:port]): " + text);
            }
            int port = uri.getPort();
            if (port == -1) {
                port = scheme.equals("https") || scheme.equals("wss") ? 443 : 80;
            }
            return new Origin(scheme, host, port);
        }
    }

    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");

    private final Set<Origin> allowed = new CopyOnWriteArraySet<>();
    private final boolean any;
    private final boolean loopbackAnyPort;

    /** @throws IllegalArgumentException if a configured origin is not {@code scheme://host[:port]} */
    OriginPolicy(List<String> configured) {
        boolean star = false;
        for (String o : configured) {
            if (o.trim().equals("*")) {
                star = true;
            } else {
                allowed.add(Origin.parse(o));
            }
        }
        this.any = star;
        this.loopbackAnyPort = configured.isEmpty();
    }

    /** Adds the server's own origin once its address is known. */
    void serverAt(String host, int port) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        for (String scheme : List.of("http", "https")) {
            allowed.add(new Origin(scheme, h.toLowerCase(Locale.ROOT), port));
            if (LOOPBACK.contains(h) || h.equals("0.0.0.0") || h.equals("[::]")) {
                for (String name : LOOPBACK) {
                    allowed.add(new Origin(scheme, name, port));
                }
            }
        }
    }

    boolean allows(String origin) {
        if (origin == null || origin.isEmpty() || any) {
            return true;
        }
        Origin o;
        try {
            o = Origin.parse(origin);
        } catch (IllegalArgumentException e) {
            return false; // includes "null"
        }
        return allowed.contains(o) || (loopbackAnyPort && LOOPBACK.contains(o.host()));
    }
}
