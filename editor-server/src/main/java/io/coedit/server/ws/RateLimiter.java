package io.coedit.server.ws;

/**
 * A token bucket per connection: {@code perSecond} tokens a second, bursts up to one
 * second's worth. A client that keeps sending after being refused (as many refusals within
 * a second as it is allowed messages, so more than twice the rate) is not a slow client
 * with bad luck but a flood, and the connection says so.
 */
final class RateLimiter {
    enum Verdict { ALLOWED, LIMITED, ABUSIVE }

    private static final long SECOND = 1_000_000_000L;

    private final int perSecond;
    private double tokens;
    private long refilledAt;
    private long refusalWindowStart;
    private int refusals;

    RateLimiter(int perSecond) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
        this.refilledAt = System.nanoTime();
        this.refusalWindowStart = refilledAt;
    }

    synchronized Verdict acquire(long nowNanos) {
        tokens = Math.min(perSecond, tokens + (nowNanos - refilledAt) * (double) perSecond / SECOND);
        refilledAt = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ALLOWED;
        }
        if (nowNanos - refusalWindowStart > SECOND) {
            refusalWindowStart = nowNanos;
            refusals = 0;
        }
        return ++refusals > perSecond ? Verdict.ABUSIVE : Verdict.LIMITED;
    }
}
