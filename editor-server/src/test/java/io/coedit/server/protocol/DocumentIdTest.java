package io.coedit.server.protocol;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DocumentIdTest {
    @Test
    void acceptsOneTo128UrlSafeCharactersStartingWithALetterOrDigit() {
        for (String id : new String[] {"a", "7", "notes", "Q3.plan_v2-final", "a" + "._-".repeat(42) + "z"}) {
            assertTrue(DocumentId.isValid(id), id);
        }
        assertTrue(DocumentId.isValid("x".repeat(128)));
    }

    @Test
    void refusesEverythingElse() {
        for (String id : new String[] {"", "x".repeat(129), ".hidden", "-x", "_x", "a/b", "a b", "a%20b", "ünï", "a\n", "..",
                "😀"}) {
            assertFalse(DocumentId.isValid(id), () -> "code units " + Arrays.toString(id.chars().toArray()));
        }
        assertFalse(DocumentId.isValid(null));
    }
}
