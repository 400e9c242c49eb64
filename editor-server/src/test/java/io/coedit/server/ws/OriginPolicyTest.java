package io.coedit.server.ws;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {
    @Test
    void defaultsAllowOwnOriginLoopbackAndProgramsWithoutOrigin() {
        OriginPolicy p = new OriginPolicy(List.of());
        p.serverAt("127.0.0.1", 8080);
        assertTrue(p.allows(null));
        assertTrue(p.allows("http://127.0.0.1:8080"));
        assertTrue(p.allows("https://LOCALHOST:8080"));
        assertTrue(p.allows("http://localhost:5173"), "a dev server on another local port");
        assertTrue(p.allows("http://[::1]:3000"));
        assertFalse(p.allows("http://evil.example"));
        assertFalse(p.allows("http://localhost.evil.example:8080"));
        assertFalse(p.allows("null"));
        assertFalse(p.allows("not a url"));
    }

    @Test
    void configuredOriginsReplaceTheLoopbackWildcard() {
        OriginPolicy p = new OriginPolicy(List.of("https://docs.example.com", "http://intranet:8000"));
        p.serverAt("10.0.0.5", 8080);
        assertTrue(p.allows("https://docs.example.com"));
        assertTrue(p.allows("https://docs.example.com:443"), "default ports are the same origin");
        assertTrue(p.allows("http://intranet:8000"));
        assertTrue(p.allows("http://10.0.0.5:8080"));
        assertFalse(p.allows("http://docs.example.com"), "scheme matters");
        assertFalse(p.allows("http://localhost:5173"));
    }

    @Test
    void starAllowsAnyAndBadEntriesAreRefused() {
        assertTrue(new OriginPolicy(List.of("*")).allows("https://anything.example"));
        assertThrows(IllegalArgumentException.class, () -> new OriginPolicy(List.of("docs.example.com")));
        assertThrows(IllegalArgumentException.class, () -> new OriginPolicy(List.of("https://a.example/path")));
    }
}
