package io.coedit.server.ws;

import io.coedit.server.metrics.ServerMetrics;
import io.coedit.server.session.ServerMessage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ack latency of one connection's ops: when each op arrived, until the message that
 * answers it goes out, and the time between the two for the metrics.
 *
 * <p>The clock runs from the op's hand-over to the service to its answer's hand-over to the
 * connection, so the document's queue and the durable commit count, and the client's own
 * outgoing queue does not. An op is answered by its ack, by its own copy in a batched client's
 * ops frame, or by an error naming its seq (forgotten, not timed: the figure is of acks). The
 * table is per connection and holds at most {@value #MAX_TIMED_ACKS} ops, so a client that
 * sends ops faster than they are answered cannot grow it; the rest go untimed.
 *
 * <p>Threads: arrivals are noted on the read thread, answers read on the document threads
 * and the read thread (errors it sends itself); the table is a concurrent map, and its bound is
 * a check before the insertion, so under a race it may hold a few more.
 */
final class AckLatency {
    private static final int MAX_TIMED_ACKS = 1_000;

    private final ServerMetrics metrics;
    /** When each op awaiting its ack arrived, for the ack latency timer: "doc\nseq" → nanos. */
    private final Map<String, Long> opArrivals = new ConcurrentHashMap<>();

    AckLatency(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    /** An op with {@code seq} for {@code doc} arrived now and is handed to the service. */
    void arrived(String doc, long seq) {
        if (opArrivals.size() < MAX_TIMED_ACKS) {
            opArrivals.put(doc + "\n" + seq, System.nanoTime());
        }
    }

    /** {@code m} is about to be queued to the connection of {@code clientId}: times the ops it answers. */
    void sending(ServerMessage m, String clientId) {
        if (m instanceof ServerMessage.Ack ack) {
            Long arrived = opArrivals.remove(ack.doc() + "\n" + ack.seq());
            if (arrived != null) {
                metrics.ackLatency(System.nanoTime() - arrived);
            }
        } else if (m instanceof ServerMessage.Ops ops && !opArrivals.isEmpty()) {
            // A batched client's own operations in the frame are its acks.
            for (ServerMessage.OpEntry op : ops.ops()) {
                if (op.clientId().equals(clientId)) {
                    Long arrived = opArrivals.remove(ops.doc() + "\n" + op.seq());
                    if (arrived != null) {
                        metrics.ackLatency(System.nanoTime() - arrived);
                    }
                }
            }
        } else if (m instanceof ServerMessage.Error e && e.seq() != null) {
            opArrivals.remove(e.doc() + "\n" + e.seq());
        }
    }
}
