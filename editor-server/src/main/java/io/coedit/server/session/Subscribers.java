package io.coedit.server.session;

import io.coedit.ot.Selection;
import io.coedit.server.session.ServerMessage.PeerPresence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The peers that have a document open, in the order they opened it, each with the presence it
 * last placed (the committed version it is at and its selections). Whether a subscriber gets
 * batched delivery is fixed when it opens ({@link Peer#batched()}). A peer is here at most once,
 * however often it opens the document.
 *
 * <p>Runs on the document's {@link SerialQueue}, like the rest of the session.
 */
final class Subscribers {
    private final Map<Peer, Subscriber> subscribers = new LinkedHashMap<>();
    /** Subscribers on other nodes, by client id, as their nodes last placed them here. */
    private final Map<String, Remote> remote = new LinkedHashMap<>();

    /** A subscriber on another node: its node, and its presence at a version of this node's history. */
    record Remote(String node, User user, long version, List<Selection> selection) {}

    static final class Subscriber {
        final Peer peer;
        final boolean batched;
        /** The committed version {@link #selection} refers to; -1 until the peer sends a presence. */
        long presenceVersion = -1;
        List<Selection> selection;

        Subscriber(Peer peer) {
            this.peer = peer;
            this.batched = peer.batched();
        }
    }

    /** Adds {@code peer} unless it is here already; returns whether it was added. */
    boolean add(Peer peer) {
        boolean already = subscribers.containsKey(peer);
        subscribers.put(peer, subscribers.getOrDefault(peer, new Subscriber(peer)));
        return !already;
    }

    /** Removes {@code peer}; returns whether it was here. */
    boolean remove(Peer peer) {
        return subscribers.remove(peer) != null;
    }

    /** The subscriber of {@code peer}, or null if it does not have the document open. */
    Subscriber get(Peer peer) {
        return subscribers.get(peer);
    }

    boolean contains(Peer peer) {
        return subscribers.containsKey(peer);
    }

    /** Whether {@code peer} has the document open with batched delivery. */
    boolean batched(Peer peer) {
        return peer.batched() && subscribers.containsKey(peer);
    }

    boolean isEmpty() {
        return subscribers.isEmpty();
    }

    int size() {
        return subscribers.size();
    }

    /**
     * Every subscriber but {@code peer}, here and on other nodes, as {@code opened} lists them to
     * a peer given the text at {@code at}: another node's subscriber placed after it is listed
     * without a caret, which its next presence brings.
     */
    List<PeerPresence> presenceOfOthers(Peer peer, long at) {
        List<PeerPresence> peers = new ArrayList<>();
        for (Subscriber s : subscribers.values()) {
            if (s.peer != peer) {
                peers.add(new PeerPresence(s.peer.clientId(), s.peer.user(), s.presenceVersion, s.selection));
            }
        }
        remote.forEach((clientId, r) -> peers.add(r.version <= at
                ? new PeerPresence(clientId, r.user, r.version, r.selection)
                : new PeerPresence(clientId, r.user, -1, null)));
        return peers;
    }

    /** Every subscriber here, for a node that asks who has the document open. */
    Iterable<Subscriber> local() {
        return subscribers.values();
    }

    /** Whether a subscriber here has client id {@code clientId} (a client that moved here from another node, say). */
    boolean isLocal(String clientId) {
        for (Peer p : subscribers.keySet()) {
            if (p.clientId().equals(clientId)) {
                return true;
            }
        }
        return false;
    }

    /** Notes where another node's subscriber is; returns whether it was not listed before. */
    boolean placeRemote(String clientId, Remote where) {
        return remote.put(clientId, where) == null;
    }

    /** Forgets another node's subscriber if {@code node} is still where it is listed; returns whether it was. */
    boolean removeRemote(String node, String clientId) {
        Remote r = remote.get(clientId);
        if (r == null || !r.node.equals(node)) {
            return false;
        }
        remote.remove(clientId);
        return true;
    }

    /** The client ids of the subscribers listed on {@code node}. */
    List<String> remoteOn(String node) {
        List<String> on = new ArrayList<>();
        remote.forEach((clientId, r) -> {
            if (r.node.equals(node)) {
                on.add(clientId);
            }
        });
        return on;
    }

    /** Sends {@code frame} to every subscriber but {@code except}, and but the batched ones if {@code skipBatched}. */
    void send(Outgoing frame, Peer except, boolean skipBatched) {
        for (Subscriber s : subscribers.values()) {
            if (s.peer != except && !(skipBatched && s.batched)) {
                s.peer.send(frame);
            }
        }
    }

    /**
     * Sends {@code frame}, an operation of {@code clientId}, to every subscriber without batched
     * delivery but that client (who gets an ack instead; null for an operation another node
     * committed: everyone gets it); returns whether any subscriber has batched delivery (it gets
     * the operation later, in an {@code ops} frame).
     */
    boolean sendOp(Outgoing frame, String clientId) {
        boolean anyBatched = false;
        for (Subscriber s : subscribers.values()) {
            if (s.batched) {
                anyBatched = true;
            } else if (!s.peer.clientId().equals(clientId)) {
                s.peer.send(frame);
            }
        }
        return anyBatched;
    }

    /** Runs {@code action} for each subscriber with batched delivery, in the order they opened the document. */
    void forEachBatched(Consumer<Peer> action) {
        for (Subscriber s : subscribers.values()) {
            if (s.batched) {
                action.accept(s.peer);
            }
        }
    }
}
