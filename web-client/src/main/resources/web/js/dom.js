/**
 * Building DOM nodes. Text always goes in as textContent (or text nodes): nothing a user
 * wrote (document text, names, chat) is ever parsed as HTML anywhere on these pages.
 */

/**
 * An element: el('li', {className: 'peer', text: user.name, attrs: {title: 'x'}}, child, ...).
 * Children are nodes or strings (strings become text nodes).
 */
export function el(tag, { className = null, text = null, attrs = null, style = null } = {}, ...children) {
    const node = document.createElement(tag);
    if (className !== null) {
        node.className = className;
    }
    if (text !== null) {
        node.textContent = text;
    }
    if (attrs !== null) {
        for (const [name, value] of Object.entries(attrs)) {
            if (value !== null && value !== undefined && value !== false) {
                node.setAttribute(name, value === true ? '' : String(value));
            }
        }
    }
    if (style !== null) {
        for (const [name, value] of Object.entries(style)) {
            node.style.setProperty(name, value);
        }
    }
    for (const child of children) {
        if (child !== null && child !== undefined) {
            node.append(typeof child === 'string' ? document.createTextNode(child) : child);
        }
    }
    return node;
}

/** "just now", "5 min ago", "3 h ago", "yesterday", or a date, for a time in ms since the epoch. */
export function relativeTime(ms, now = Date.now()) {
    const seconds = Math.round((now - ms) / 1000);
    if (seconds < 45) {
        return 'just now';
    }
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) {
        return `${minutes} min ago`;
    }
    const hours = Math.round(minutes / 60);
    if (hours < 24) {
        return `${hours} h ago`;
    }
    const days = Math.round(hours / 24);
    if (days === 1) {
        return 'yesterday';
    }
    if (days < 7) {
        return `${days} days ago`;
    }
    return new Date(ms).toLocaleDateString();
}

/** The initials shown in an avatar: "Ann Lee" → "AL", "ann" → "A". */
export function initials(name) {
    const words = String(name || '?').trim().split(/\s+/).filter(Boolean);
    const first = [...(words[0] || '?')][0];
    const second = words.length > 1 ? [...words[words.length - 1]][0] : '';
    return (first + second).toUpperCase();
}
