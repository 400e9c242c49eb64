package io.coedit.server.metrics;

import io.coedit.server.session.DocumentService;
import io.coedit.server.session.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's meters, exposed at {@code GET /metrics} in the Prometheus text format:
 * <pre>
 *   coedit_connections                     open WebSocket connections
 *   coedit_tcp_connections                 open TCP connections (HTTP and WebSocket, the server's side)
 *   coedit_sockets_cut_total               sockets of closed connections cut after the close grace
 *   coedit_documents_open                  documents held in memory
 *   coedit_ops_committed_total             operations committed (durable)
 *   coedit_errors_total{code}              error messages sent, by protocol error code
 *   coedit_connections_dropped_total{reason}  connections the server closed, by reason
 *   coedit_ack_latency_seconds             from receiving an op to sending its ack
 *   coedit_commit_seconds                  writing one group commit (one store transaction)
 *   coedit_commit_ops                      operations per group commit
 *   coedit_commit_documents                documents per group commit
 *   coedit_divergences_total               clients that reported a text unlike the server's digest
 * </pre>
 */
public final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger tcpConnections = new AtomicInteger();
    private final Counter socketsCut;
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
    private final Timer ackLatency;
    private final Counter divergences;

    public ServerMetrics(DocumentService service) {
        Gauge.builder("coedit.connections", connections, AtomicInteger::get)
                .description("Open WebSocket connections").register(registry);
        Gauge.builder("coedit.tcp.connections", tcpConnections, AtomicInteger::get)
                .description("Open TCP connections, HTTP and WebSocket, as the server holds them").register(registry);
        socketsCut = Counter.builder("coedit.sockets.cut")
                .description("Sockets of closed connections cut after the close grace: the client read neither "
                        + "what was left to write nor the close").register(registry);
        Gauge.builder("coedit.documents.open", service, DocumentService::loadedDocuments)
                .description("Documents held in memory").register(registry);
        FunctionCounter.builder("coedit.ops.committed", service, DocumentService::committedOps)
                .description("Operations committed durably").register(registry);
        FunctionCounter.builder("coedit.rebases", service, DocumentService::rebases)
                .description("Batches another node committed to first, transformed again and retried").register(registry);
        for (ErrorCode code : ErrorCode.values()) {
            // Registered up front so that a rate can be computed from the first error on.
            errors.put(code, Counter.builder("coedit.errors").tag("code", code.wire())
                    .description("Error messages sent to clients").register(registry));
        }
        ackLatency = Timer.builder("coedit.ack.latency")
                .description("Time from receiving an op to sending its ack (includes the durable commit)")
                .publishPercentiles(0.5, 0.95, 0.99)
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .register(registry);
        registerCommitMeters(service);
        divergences = Counter.builder("coedit.divergences")
                .description("Clients that reported their text unlike the server's digest (each then reloaded the document)")
                .register(registry);
    }

    private void registerCommitMeters(DocumentService service) {
        Timer commits = Timer.builder("coedit.commit")
                .description("Time to write one group commit durably (one store transaction)")
                .publishPercentiles(0.5, 0.95, 0.99)
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .register(registry);
        DistributionSummary ops = DistributionSummary.builder("coedit.commit.ops")
                .description("Operations per group commit").register(registry);
        DistributionSummary documents = DistributionSummary.builder("coedit.commit.documents")
                .description("Documents per group commit").register(registry);
        service.observeCommits((documentCount, opCount, nanos) -> {
            commits.record(nanos, TimeUnit.NANOSECONDS);
            ops.record(opCount);
            documents.record(documentCount);
        });
    }

    public void connectionOpened() {
        connections.incrementAndGet();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public int connections() {
        return connections.get();
    }

    public void tcpOpened() {
        tcpConnections.incrementAndGet();
    }

    public void tcpClosed() {
        tcpConnections.decrementAndGet();
    }

    public void socketCut() {
        socketsCut.increment();
    }

    public void error(ErrorCode code) {
        errors.get(code).increment();
    }

    /** The server closed a connection; {@code reason} is a short fixed word, e.g. {@code slow_reader}. */
    public void dropped(String reason) {
        dropped.computeIfAbsent(reason, r -> Counter.builder("coedit.connections.dropped").tag("reason", r)
                .description("Connections closed by the server").register(registry)).increment();
    }

    /** A client reported that its text differed from the server's digest. */
    public void divergence() {
        divergences.increment();
    }

    public void ackLatency(long nanos) {
        ackLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }
}
