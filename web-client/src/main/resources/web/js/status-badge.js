/**
 * The connection state, always visible: connected; reconnecting (with the number of edits
 * not yet saved by the server); offline (with a button to try now).
 */
import { ConnectionState } from './connection.js';

function edits(n) {
    return n === 1 ? '1 unsent edit' : `${n} unsent edits`;
}

export class StatusBadge {
    /** @param root the element with .status-text and .status-retry inside */
    constructor(root, onRetry) {
        this.root = root;
        this.text = root.querySelector('.status-text');
        this.retry = root.querySelector('.status-retry');
        this.retry.addEventListener('click', onRetry);
    }

    /**
     * @param state a ConnectionState
     * @param unsent edits not acknowledged yet
     * @param note text for the stopped state (why), or null
     */
    render(state, unsent, note = null) {
        let text;
        switch (state) {
            case ConnectionState.CONNECTED:
                text = 'Connected'; // edits in flight are acknowledged in milliseconds: no flicker of counts
                break;
            case ConnectionState.CONNECTING:
                text = 'Connecting…';
                break;
            case ConnectionState.RECONNECTING:
                text = unsent > 0 ? `Reconnecting… (${edits(unsent)})` : 'Reconnecting…';
                break;
            case ConnectionState.OFFLINE:
                text = unsent > 0 ? `Offline (${edits(unsent)})` : 'Offline';
                break;
            default:
                text = note || 'Disconnected';
        }
        this.root.dataset.state = state;
        this.root.dataset.unsent = String(unsent);
        this.text.textContent = text;
        this.retry.hidden = !(state === ConnectionState.OFFLINE || state === ConnectionState.RECONNECTING);
        this.root.title = state === ConnectionState.CONNECTED
            ? 'Connected: every edit is saved on the server as it is acknowledged'
            : 'Edits made now are kept in this browser and sent when the connection is back';
    }
}
