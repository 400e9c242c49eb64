package io.coedit.server.auth;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.coedit.server.session.DisplayName;
import io.coedit.server.session.ErrorCode;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.PrematureJwtException;
import io.jsonwebtoken.security.Keys;
import io.jsonwebtoken.security.SignatureException;
import io.jsonwebtoken.security.WeakKeyException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Turns the token a client presents (in {@code hello}, or as an HTTP bearer token) into
 * its {@link Access}.
 *
 * <p>Without a secret the server is open: anyone who can reach its address may read and
 * edit every document, and a token, if sent, is ignored. With a secret, a token is
 * required: an HS256 JWT signed with that secret, whose claims are
 * <pre>
 *   sub    the user id (required)
 *   name   the display name (optional; else the name in hello, else sub), held to
 *          {@link DisplayName}'s rules like the name in hello
 *   read   array of document patterns the user may read (optional)
 *   write  array of document patterns the user may edit, and so read (optional)
 *   exp, nbf  honoured when present (30 s of clock skew allowed); 0 to the end of year 9999;
 *          exp for the life of a connection
 * </pre>
 * A token is at most {@value #MAX_TOKEN_CHARS} characters.
 * A pattern is a document id, {@code "*"} for all, or a prefix ending in {@code *}.
 */
public final class Authenticator {
    /** The clock skew allowed on {@code exp} and {@code nbf} unless configured. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    /** The longest token accepted, in characters (docs/PROTOCOL.md, Limits). */
    public static final int MAX_TOKEN_CHARS = 8_192;
    /** The latest time a token may name: the last second of year 9999, well inside what a date holds. */
    private static final long MAX_EPOCH_SECOND = 253_402_300_799L;

    private final JwtParser parser; // null when open
    private final Duration clockSkew;

    private Authenticator(JwtParser parser, Duration clockSkew) {
        this.parser = parser;
        this.clockSkew = clockSkew;
    }

    /** No secret: everyone may edit everything. */
    public static Authenticator open() {
        return new Authenticator(null, DEFAULT_CLOCK_SKEW);
    }

    /**
     * Tokens signed with {@code secret} (its UTF-8 bytes are the HMAC key).
     *
     * @throws IllegalArgumentException if the secret is shorter than HS256 allows (32 bytes)
     */
    public static Authenticator jwt(String secret) {
        return jwt(secret, DEFAULT_CLOCK_SKEW);
    }

    /** As {@link #jwt(String)}, allowing {@code clockSkew} (whole seconds) on {@code exp} and {@code nbf}. */
    public static Authenticator jwt(String secret, Duration clockSkew) {
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        try {
            return new Authenticator(Jwts.parser()
                    .verifyWith(Keys.hmacShaKeyFor(key))
                    .clockSkewSeconds(clockSkew.toSeconds())
                    .build(), Duration.ofSeconds(clockSkew.toSeconds()));
        } catch (WeakKeyException e) {
            throw new IllegalArgumentException("the JWT secret has " + key.length
                    + " bytes; HS256 needs at least 32 (256 bits)");
        }
    }

    public boolean requiresToken() {
        return parser != null;
    }

    /** For the startup log. */
    public String describe() {
        return parser == null
                ? "open (no secret: anyone who can reach the address may read and edit every document)"
                : "JWT (HS256 tokens required; claims sub, name, read, write)";
    }

    /** The access {@code token} grants; throws {@link AuthenticationException} saying why not. */
    public Access authenticate(String token) {
        if (parser == null) {
            return Access.guest();
        }
        if (token == null || token.isEmpty()) {
            throw new AuthenticationException("this server requires a token");
        }
        checkShape(token);
        Jws<Claims> jws;
        try {
            jws = parser.parseSignedClaims(token);
        } catch (ExpiredJwtException e) {
            throw new AuthenticationException("the token expired at " + e.getClaims().getExpiration().toInstant());
        } catch (PrematureJwtException e) {
            throw new AuthenticationException("the token is not valid before " + e.getClaims().getNotBefore().toInstant());
        } catch (SignatureException e) {
            throw new AuthenticationException("the token's signature does not match this server's secret");
        } catch (JwtException | IllegalArgumentException e) {
            throw new AuthenticationException("the token is not a signed JWT this server accepts: " + e.getMessage());
        }
        // Any HMAC algorithm the key is long enough for would verify; accept only the agreed one.
        if (!"HS256".equals(jws.getHeader().getAlgorithm())) {
            throw new AuthenticationException("the token is signed with " + jws.getHeader().getAlgorithm()
                    + "; this server accepts HS256 only");
        }
        Claims claims = jws.getPayload();
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank()) {
            throw new AuthenticationException("the token has no \"sub\" claim (the user id)");
        }
        Object name = claims.get("name");
        if (name != null && !(name instanceof String)) {
            throw new AuthenticationException("the token's \"name\" claim must be a string");
        }
        String shown = null;
        if (name != null) {
            try {
                shown = DisplayName.check((String) name);
            } catch (IllegalArgumentException e) {
                throw new AuthenticationException(ErrorCode.INVALID_NAME, "the token's \"name\" claim: " + e.getMessage());
            }
        }
        java.util.Date exp = claims.getExpiration();
        return new Access(subject, shown == null || shown.isEmpty() ? null : shown, patterns(claims, "read"),
                patterns(claims, "write"), exp == null ? null : exp.toInstant().plus(clockSkew));
    }

    /**
     * What the JWT library would misreport, said precisely before it parses: the length limit,
     * an HMAC algorithm other than HS256 (the library would first complain that the secret is
     * too short for it, as if the secret were at fault), and an {@code exp} or {@code nbf} past
     * what a date holds (the library multiplies seconds by 1,000 in a {@code long} and takes the
     * wrapped-around result: a far future expiry read as 1969, or as never). The header and
     * payload read here are not yet verified; nothing is granted on them.
     */
    private static void checkShape(String token) {
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new AuthenticationException(String.format(Locale.ROOT,
                    "the token has %,d characters, more than the limit of %,d", token.length(), MAX_TOKEN_CHARS));
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return; // not a signed JWT: the library says so
        }
        JsonObject header = decodeObject(parts[0]);
        if (header == null) {
            return;
        }
        JsonElement alg = header.get("alg");
        if (alg instanceof JsonPrimitive p && p.isString() && p.getAsString().startsWith("HS")
                && !"HS256".equals(p.getAsString())) {
            throw new AuthenticationException("the token is signed with " + p.getAsString() + "; this server accepts HS256 only");
        }
        JsonObject payload = header.has("zip") ? null : decodeObject(parts[1]);
        if (payload != null) {
            checkTime(payload, "exp");
            checkTime(payload, "nbf");
        }
    }

    private static void checkTime(JsonObject payload, String claim) {
        JsonElement value = payload.get(claim);
        if (value == null || value.isJsonNull()) {
            return;
        }
        if (!(value instanceof JsonPrimitive p) || !p.isNumber()) {
            throw new AuthenticationException("the token's \"" + claim + "\" claim must be a number of seconds since 1970");
        }
        BigDecimal seconds;
        try {
            seconds = p.getAsBigDecimal();
        } catch (NumberFormatException e) {
            seconds = null;
        }
        if (seconds == null || seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(MAX_EPOCH_SECOND)) > 0) {
            String shown = p.getAsString().length() > 30 ? p.getAsString().substring(0, 30) + "…" : p.getAsString();
            throw new AuthenticationException("the token's \"" + claim + "\" claim (" + shown + ") is out of range: "
                    + "a time is 0 to " + MAX_EPOCH_SECOND + " seconds since 1970 (the end of year 9999)");
        }
    }

    /** The JSON object in a base64url segment, or null if it is not one (the library then says what is wrong). */
    private static JsonObject decodeObject(String segment) {
        try {
            JsonElement json = JsonParser.parseString(new String(Base64.getUrlDecoder().decode(segment), StandardCharsets.UTF_8));
            return json.isJsonObject() ? json.getAsJsonObject() : null;
        } catch (IllegalArgumentException | JsonParseException e) {
            return null;
        }
    }

    private static List<String> patterns(Claims claims, String claim) {
        Object value = claims.get(claim);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new AuthenticationException("the token's \"" + claim + "\" claim must be an array of document ids");
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String s) || s.isEmpty()) {
                throw new AuthenticationException("the token's \"" + claim + "\" claim must hold non-empty strings, got "
                        + item);
            }
            out.add(s);
        }
        return out;
    }
}
