/**
 * What this browser remembers about its person between pages: the display name and, on a
 * server with tokens, the token (given once as ?token=… in a link, then kept for this site).
 */

const NAME_KEY = 'coedit:name';
const TOKEN_KEY = 'coedit:token';

function storage() {
    try {
        return window.localStorage;
    } catch (e) {
        return null;
    }
}

/** The display name chosen on this browser, or null. */
export function savedName() {
    return storage()?.getItem(NAME_KEY) || null;
}

export function saveName(name) {
    const s = storage();
    if (!s) {
        return;
    }
    if (name) {
        s.setItem(NAME_KEY, name);
    } else {
        s.removeItem(NAME_KEY);
    }
}

/**
 * The token for this server: one given in the page's address (?token=…) wins and is kept;
 * it is then taken out of the address bar so it is not shared by copying the link.
 */
export function token() {
    const s = storage();
    const url = new URL(window.location.href);
    const given = url.searchParams.get('token');
    if (given !== null) {
        if (given) {
            s?.setItem(TOKEN_KEY, given);
        } else {
            s?.removeItem(TOKEN_KEY);
        }
        url.searchParams.delete('token');
        window.history.replaceState(null, '', url.pathname + url.search + url.hash);
        return given || null;
    }
    return s?.getItem(TOKEN_KEY) || null;
}

/** Headers for the HTTP API: the token as a bearer token when there is one. */
export function apiHeaders() {
    const t = token();
    return t ? { Authorization: `Bearer ${t}` } : {};
}
