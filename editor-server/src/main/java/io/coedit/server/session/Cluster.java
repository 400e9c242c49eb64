package io.coedit.server.session;

import io.coedit.ot.Selection;
import io.coedit.server.store.ChatMessage;
import java.util.List;

/**
 * The other server nodes sharing this node's store, as the document service sees them: what
 * it tells them and what it hears from them. One node alone has {@link #NONE}.
 *
 * <p>Nothing here carries an operation. The store is the one source of the history: a node
 * that commits says only that a document reached a version ({@link Event.Committed}), and a
 * node that hears it reads the operations it lacks from the store. A hint that is lost, late or
 * repeated therefore delays delivery and never loses or duplicates an operation; and a node
 * that commits on a stale head is refused by the store and transforms and retries (see
 * {@link DocumentSession}). What has no place in the store (presence, a leave) travels in the
 * events themselves, and a chat line (stored) travels with its text when it fits.
 *
 * <p>Sending never blocks: an implementation queues, and may drop what it cannot deliver
 * (the events are hints and presence, all of which the next event or a periodic check
 * supersedes). Listeners are called on the implementation's own thread and must only enqueue.
 */
public interface Cluster extends AutoCloseable {

    /** What nodes tell each other; {@code node} is the sender's id. */
    sealed interface Event {
        /** {@code doc} has history up to {@code version} in the store. */
        record Committed(String doc, long version) implements Event {}

        /** A subscriber's presence on {@code node}, placed at {@code version} of the history. */
        record Presence(String node, String doc, String clientId, User user, long version, List<Selection> selection)
                implements Event {}

        /** A subscriber of {@code node} closed {@code doc}. */
        record Leave(String node, String doc, String clientId) implements Event {}

        /** A chat line was stored; {@code message} is null when it was too long to carry (read it from the store). */
        record Chat(String doc, long id, ChatMessage message) implements Event {}

        /** {@code node} opened {@code doc} for its first subscriber: who else has it open? */
        record Who(String node, String doc) implements Event {}

        /** {@code node} stopped, or has been silent too long: its subscribers are gone. */
        record NodeGone(String node) implements Event {}

        /**
         * This node's link to the others was down and is back: events may have been lost
         * meanwhile, so every open document should check the store's head.
         */
        record Resync() implements Event {}
    }

    /** This node's id, unique among the nodes. */
    String node();

    /** Starts delivering the other nodes' events to {@code listener}. */
    void start(java.util.function.Consumer<Event> listener);

    /** Tells the other nodes; never blocks. Events that name a node must name this one. */
    void publish(Event event);

    /** Whether there are other nodes at all: with none, nothing is published or heard. */
    default boolean shared() {
        return true;
    }

    @Override
    void close();

    /** A node alone: nothing to tell, nothing to hear. */
    Cluster NONE = new Cluster() {
        @Override
        public String node() {
            return "local";
        }

        @Override
        public void start(java.util.function.Consumer<Event> listener) {}

        @Override
        public void publish(Event event) {}

        @Override
        public boolean shared() {
            return false;
        }

        @Override
        public void close() {}
    };
}
