/**
 * Lets the pages load while the server is unreachable, so that a person can reload the
 * editor, see the edits this browser has not sent yet, and keep writing; they go out when
 * the server is back (see js/pending-edits.js).
 *
 * Network first, always: when the server answers, its files are used (and remembered), so
 * an update is never hidden behind a cache. Only when the network fails does the
 * remembered copy answer. Every /d/{name} is the same page, remembered as /editor.html.
 * The API, the socket, health and metrics are never cached.
 */
const CACHE = 'coedit-shell-v1';
const SHELL = [
    '/', '/editor.html', '/css/app.css', '/favicon.svg',
    '/js/editor-page.js', '/js/documents-page.js', '/js/connection.js', '/js/shared-document.js',
    '/js/pending-edits.js', '/js/editor-binding.js', '/js/presence-layer.js', '/js/participants.js',
    '/js/chat-panel.js', '/js/status-badge.js', '/js/dom.js', '/js/settings.js', '/js/document-id.js',
    '/js/text-operation.js', '/js/ot-client.js', '/js/text-digest.js',
];

self.addEventListener('install', event => {
    event.waitUntil(caches.open(CACHE).then(cache => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', event => {
    event.waitUntil(caches.keys()
        .then(keys => Promise.all(keys.filter(k => k !== CACHE).map(k => caches.delete(k))))
        .then(() => self.clients.claim()));
});

function cacheKey(url) {
    return url.pathname.startsWith('/d/') ? '/editor.html' : url.pathname;
}

function cacheable(request, url) {
    return request.method === 'GET' && url.origin === self.location.origin
        && !/^\/(api|ws|healthz|metrics)(\/|$)/.test(url.pathname);
}

self.addEventListener('fetch', event => {
    const url = new URL(event.request.url);
    if (!cacheable(event.request, url)) {
        return;
    }
    event.respondWith((async () => {
        const cache = await caches.open(CACHE);
        try {
            const response = await fetch(event.request);
            if (response.ok) {
                event.waitUntil(cache.put(cacheKey(url), response.clone()));
            }
            return response;
        } catch (e) {
            const remembered = await cache.match(cacheKey(url));
            if (remembered) {
                return remembered;
            }
            throw e;
        }
    })());
});
