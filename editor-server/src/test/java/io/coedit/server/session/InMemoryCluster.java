package io.coedit.server.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Nodes in one JVM linked as {@link Cluster}s: each event a node publishes reaches every other
 * started node as a task on the given executor (a simulation's, so the seed decides when it
 * arrives). A fraction of the {@link Cluster.Event.Committed} hints can be lost on the way, as
 * a notification can be: the nodes must still converge through their periodic head checks.
 */
final class InMemoryCluster {
    private final Executor executor;
    private final Random random;
    private final double loseCommitted;
    private final List<Node> nodes = new ArrayList<>();
    long lost;

    InMemoryCluster(Executor executor, Random random, double loseCommitted) {
        this.executor = executor;
        this.random = random;
        this.loseCommitted = loseCommitted;
    }

    Node node(String id) {
        Node n = new Node(id);
        nodes.add(n);
        return n;
    }

    final class Node implements Cluster {
        private final String id;
        private Consumer<Event> listener;
        private boolean closed;

        Node(String id) {
            this.id = id;
        }

        @Override
        public String node() {
            return id;
        }

        @Override
        public void start(Consumer<Event> listener) {
            this.listener = listener;
        }

        @Override
        public void publish(Event event) {
            if (closed) {
                return;
            }
            for (Node other : nodes) {
                if (other == this || other.listener == null || other.closed) {
                    continue;
                }
                if (event instanceof Event.Committed && random.nextDouble() < loseCommitted) {
                    lost++;
                    continue;
                }
                executor.execute(() -> {
                    if (!other.closed) {
                        other.listener.accept(event);
                    }
                });
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (Node other : nodes) {
                if (other != this && other.listener != null && !other.closed) {
                    executor.execute(() -> other.listener.accept(new Event.NodeGone(id)));
                }
            }
        }
    }
}
