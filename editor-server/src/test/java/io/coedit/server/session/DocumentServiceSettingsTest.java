package io.coedit.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class DocumentServiceSettingsTest {
    private static final DocumentService.Settings DEFAULTS = DocumentService.Settings.defaults();

    @Test
    void theDefaultsAreWhatTheServerHasAlwaysUsed() {
        DocumentService.Settings d = DocumentService.Settings.builder().build();
        assertEquals(DEFAULTS, d);
        assertEquals(10_000_000, d.maxDocumentCodePoints());
        assertEquals(10_000, d.maxCatchUp());
        assertEquals(2_000, d.historyInMemory());
        assertEquals(500, d.snapshotEvery());
        assertEquals(500, d.maxBatch());
        assertEquals(50, d.chatHistory());
        assertEquals(60_000, d.unloadAfterMillis());
        assertEquals(Math.max(4, Runtime.getRuntime().availableProcessors() * 2), d.threads());
        assertEquals(DocumentService.Settings.DEFAULT_BATCH_WINDOW_MILLIS, d.batchWindowMillis());
    }

    @Test
    void eachSetterChangesItsOwnValueOnly() {
        DocumentService.Settings s = DocumentService.Settings.builder()
                .maxDocumentCodePoints(40).maxCatchUp(2).historyInMemory(30).snapshotEvery(7).maxBatch(16)
                .chatHistory(0).unloadAfterMillis(200).threads(3).batchWindowMillis(0).build();
        assertEquals(List.of(40L, 2L, 30L, 7L, 16L, 0L, 200L, 3L, 0L), List.of((long) s.maxDocumentCodePoints(),
                (long) s.maxCatchUp(), (long) s.historyInMemory(), (long) s.snapshotEvery(), (long) s.maxBatch(),
                (long) s.chatHistory(), s.unloadAfterMillis(), (long) s.threads(), s.batchWindowMillis()));
        assertEquals(DEFAULTS.maxBatch(), DocumentService.Settings.builder().snapshotEvery(7).build().maxBatch());
        assertEquals(7, DocumentService.Settings.builder().snapshotEvery(7).build().snapshotEvery());
    }

    @Test
    void eachValueOutOfRangeIsRefusedNamingIt() {
        refused(b -> b.maxDocumentCodePoints(0), "maxDocumentCodePoints must be positive, got 0");
        refused(b -> b.maxCatchUp(-1), "maxCatchUp must not be negative, got -1");
        refused(b -> b.historyInMemory(0), "historyInMemory must be positive, got 0");
        refused(b -> b.snapshotEvery(0), "snapshotEvery must be positive, got 0");
        refused(b -> b.maxBatch(-5), "maxBatch must be positive, got -5");
        refused(b -> b.chatHistory(-1), "chatHistory must not be negative, got -1");
        refused(b -> b.unloadAfterMillis(-1), "unloadAfterMillis must not be negative, got -1");
        refused(b -> b.threads(0), "threads must be positive, got 0");
        refused(b -> b.batchWindowMillis(-1), "batchWindowMillis must not be negative, got -1");
        refused(b -> b.historyInMemory(10).maxBatch(11),
                "historyInMemory (10) must be at least maxBatch (11): operations not yet committed exist only in memory");
    }

    private static void refused(UnaryOperator<DocumentService.Settings.Builder> settings, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings.apply(DocumentService.Settings.builder()).build());
        assertEquals(message, e.getMessage());
    }
}
