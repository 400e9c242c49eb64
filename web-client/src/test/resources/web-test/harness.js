/**
 * A small test runner for the browser modules, run inside Chromium by the Java test
 * BrowserUnitTest (each result becomes a JUnit test named after it). Random tests take a
 * seed and say which one failed, so a failure can be replayed.
 */

const registered = [];

/** Registers a test; fn may be async. */
export function test(name, fn) {
    registered.push({ name, fn });
}

/** Runs every registered test; each gives {name, passed, message}. */
export async function runAll() {
    const results = [];
    for (const { name, fn } of registered) {
        try {
            await fn();
            results.push({ name, passed: true, message: '' });
        } catch (e) {
            results.push({ name, passed: false, message: `${e && e.message || e}\n${e && e.stack || ''}` });
        }
    }
    return results;
}

export class AssertionError extends Error {}

export function assert(condition, message) {
    if (!condition) {
        throw new AssertionError(message);
    }
}

export function assertEqual(actual, expected, what = 'value') {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    if (a !== e) {
        throw new AssertionError(`${what}: expected ${e} but got ${a}`);
    }
}

export function assertThrows(action, type, what = 'action') {
    try {
        action();
    } catch (e) {
        if (type && !(e instanceof type)) {
            throw new AssertionError(`${what} threw ${e}, expected a ${type.name}`);
        }
        return e;
    }
    throw new AssertionError(`${what} should have thrown`);
}

/** A seeded random number generator (mulberry32): random() in [0, 1), int(n) in [0, n). */
export function seeded(seed) {
    let a = seed >>> 0;
    const random = () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    return {
        random,
        int: n => Math.floor(random() * n),
        pick: items => items[Math.floor(random() * items.length)],
        chance: p => random() < p,
    };
}

/** Runs body(rng, seed) for `count` seeds from `first`, naming the seed that fails. */
export function forSeeds(first, count, body) {
    for (let seed = first; seed < first + count; seed++) {
        try {
            body(seeded(seed), seed);
        } catch (e) {
            e.message = `seed ${seed}: ${e.message}`;
            throw e;
        }
    }
}
