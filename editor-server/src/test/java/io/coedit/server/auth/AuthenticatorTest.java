package io.coedit.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coedit.server.session.DisplayName;
import io.coedit.server.session.ErrorCode;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
    static final String SECRET = "0123456789abcdef0123456789abcdef-test";
    private final SecretKey key = Keys.hmacShaKeyFor(SECRET.getBytes(StandardCharsets.UTF_8));
    private final Authenticator auth = Authenticator.jwt(SECRET);

    @Test
    void openServerLetsEveryoneEditEverything() {
        Access guest = Authenticator.open().authenticate(null);
        assertTrue(guest.canWrite("any"));
        assertEquals("abc123", guest.user("abc123", null).id());
        assertEquals("Ann", guest.user("abc123", "Ann").name());
        assertTrue(guest.mayUseClientId("whatever"));
    }

    @Test
    void claimsGiveUserAndGrants() {
        String token = Jwts.builder().subject("u7").claim("name", "Uma")
                .claim("read", List.of("*")).claim("write", List.of("doc1", "team-*")).signWith(key).compact();
        Access a = auth.authenticate(token);
        assertEquals("u7", a.user("c", "ignored").id());
        assertEquals("Uma", a.user("c", "ignored").name());
        assertTrue(a.canRead("other"));
        assertFalse(a.canWrite("other"));
        assertTrue(a.canWrite("doc1"));
        assertTrue(a.canWrite("team-x"));
        assertFalse(a.canWrite("doc10"));
    }

    @Test
    void writeImpliesReadAndNothingGrantsNothing() {
        Access a = auth.authenticate(Jwts.builder().subject("u").claim("write", List.of("d")).signWith(key).compact());
        assertTrue(a.canRead("d"));
        assertFalse(a.canRead("e"));
        Access none = auth.authenticate(Jwts.builder().subject("u").signWith(key).compact());
        assertFalse(none.canRead("d"));
    }

    @Test
    void clientIdsAreBoundToTheUser() {
        Access u = auth.authenticate(Jwts.builder().subject("u").signWith(key).compact());
        Access v = auth.authenticate(Jwts.builder().subject("v").signWith(key).compact());
        String id = u.newClientId();
        assertTrue(id.length() <= 64);
        assertTrue(u.mayUseClientId(id));
        assertFalse(v.mayUseClientId(id));
        assertFalse(u.mayUseClientId("made-up"));
    }

    @Test
    void rejectsBadTokensWithReasons() {
        assertMessage("requires a token", null);
        assertMessage("not a signed JWT", "garbage");
        SecretKey other = Keys.hmacShaKeyFor("another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8));
        assertMessage("signature does not match", Jwts.builder().subject("u").signWith(other).compact());
        assertMessage("expired", Jwts.builder().subject("u").expiration(Date.from(Instant.now().minusSeconds(3600)))
                .signWith(key).compact());
        assertMessage("no \"sub\"", Jwts.builder().claim("name", "x").signWith(key).compact());
        assertMessage("\"read\" claim must be an array", Jwts.builder().subject("u").claim("read", "*").signWith(key).compact());
        SecretKey longKey = Keys.hmacShaKeyFor((SECRET + SECRET).getBytes(StandardCharsets.UTF_8));
        assertThrows(AuthenticationException.class, () -> Authenticator.jwt(SECRET + SECRET)
                .authenticate(Jwts.builder().subject("u").signWith(longKey, Jwts.SIG.HS384).compact()));
        assertMessage("not a signed JWT", Jwts.builder().subject("u").compact());
    }

    @Test
    void otherHmacAlgorithmsAreRefusedAsSuchWhateverTheSecretsLength() {
        SecretKey longKey = Keys.hmacShaKeyFor((SECRET + SECRET).getBytes(StandardCharsets.UTF_8));
        for (var alg : List.of(Jwts.SIG.HS384, Jwts.SIG.HS512)) {
            String token = Jwts.builder().subject("u").signWith(longKey, alg).compact();
            for (Authenticator a : List.of(auth, Authenticator.jwt(SECRET + SECRET))) {
                AuthenticationException e = assertThrows(AuthenticationException.class, () -> a.authenticate(token));
                assertTrue(e.getMessage().contains("signed with " + alg.getId()) && e.getMessage().contains("HS256 only"),
                        e::getMessage);
                assertEquals(ErrorCode.UNAUTHORIZED, e.code());
            }
        }
    }

    @Test
    void timesPastWhatADateHoldsAreSaidToBeSo() {
        for (Object exp : List.of(1e300, Long.MAX_VALUE, 9_300_000_000_000_000L, new BigInteger("9".repeat(30)))) {
            String token = Jwts.builder().subject("u").claim("exp", exp).signWith(key).compact();
            assertMessage("\"exp\" claim", token);
            assertMessage("out of range", token);
        }
        assertMessage("\"nbf\" claim", Jwts.builder().subject("u").claim("nbf", Long.MAX_VALUE).signWith(key).compact());
        // The last second of year 9999 is still a time.
        long far = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        auth.authenticate(Jwts.builder().subject("u").claim("exp", far).signWith(key).compact());
    }

    @Test
    void tokensHaveADocumentedLengthLimit() {
        String padded = Jwts.builder().subject("u").claim("pad", "x".repeat(Authenticator.MAX_TOKEN_CHARS)).signWith(key).compact();
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> auth.authenticate(padded));
        assertTrue(e.getMessage().contains(String.format(Locale.ROOT, "%,d characters", padded.length())) && e.getMessage().contains("8,192"), e::getMessage);
    }

    @Test
    void aTokensNameIsHeldToTheRulesOfHello() {
        for (String name : List.of("\u202Eevil", "   ", "\u200B", "a\u0000b", "x".repeat(65))) {
            String token = Jwts.builder().subject("u").claim("name", name).signWith(key).compact();
            AuthenticationException e = assertThrows(AuthenticationException.class, () -> auth.authenticate(token));
            assertEquals(ErrorCode.INVALID_NAME, e.code());
            IllegalArgumentException direct = assertThrows(IllegalArgumentException.class, () -> DisplayName.check(name));
            assertTrue(e.getMessage().endsWith(direct.getMessage()), e::getMessage);
        }
        Access a = auth.authenticate(Jwts.builder().subject("u").claim("name", " Zoë ").signWith(key).compact());
        assertEquals("Zoë", a.user("c", null).name());
    }

    @Test
    void refusesShortSecrets() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Authenticator.jwt("short"));
        assertTrue(e.getMessage().contains("at least 32"), e.getMessage());
    }

    private void assertMessage(String expected, String token) {
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> auth.authenticate(token));
        assertTrue(e.getMessage().contains(expected), () -> e.getMessage() + " should contain " + expected);
    }
}
