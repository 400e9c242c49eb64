package io.coedit.ot.json;

import static io.coedit.ot.Component.delete;
import static io.coedit.ot.Component.insert;
import static io.coedit.ot.Component.retain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coedit.ot.TextOperation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class OpJsonTest {
    private final OpJson json = OpJson.standard();

    @Test
    void writesTheOtTextUnicodeForm() {
        TextOperation op = TextOperation.of(retain(3), insert("hi 😀"), delete(2));
        assertEquals("[3,\"hi 😀\",{\"d\":2}]", json.toJson(op));
        assertEquals("[]", json.toJson(TextOperation.NOOP));
    }

    @Test
    void readsAndCanonicalises() {
        assertEquals(TextOperation.of(retain(3), delete(1), insert("a"), delete(2), insert("b")),
                json.parse("[1, 2, {\"d\": 1}, \"a\", {\"d\": 2}, \"b\", 4]"));
        assertEquals("[3,{\"d\":3},\"ab\"]", json.toJson(json.parse("[1, 2, {\"d\": 1}, {\"d\": 2}, \"a\", \"b\"]")));
        assertEquals(TextOperation.NOOP, json.parse("[]"));
        assertEquals(TextOperation.of(retain(2)), json.parse("[2.0]"));
    }

    @Test
    void keepsTheOrderOfInsertsAndDeletes() {
        assertEquals("[1,{\"d\":1},\"X\"]", json.toJson(json.parse("[1,{\"d\":1},\"X\"]")));
        assertEquals("[1,\"X\",{\"d\":1}]", json.toJson(json.parse("[1,\"X\",{\"d\":1}]")));
    }

    @Test
    void aTrailingRetainIsDroppedFromTheFormButStillMustFit() {
        TextOperation op = json.parse("[1,\"x\",3]");
        assertEquals("[1,\"x\"]", json.toJson(op));
        assertEquals("axbcd", op.apply("abcd"));
        assertThrows(IllegalArgumentException.class, () -> op.apply("abc"));
        assertThrows(IllegalArgumentException.class, () -> json.parse("[3]").apply("ab"));
        assertThrows(IllegalArgumentException.class, () -> json.parse("[2147483647]").apply("ab"));
        assertEquals("ab", json.parse("[2]").apply("ab"));
    }

    @Test
    void roundTrips() {
        TextOperation op = TextOperation.of(retain(1), insert("\"\\\n\u0000𝒳"), delete(1), retain(2), delete(4));
        assertEquals(op, json.parse(json.toJson(op)));
        assertEquals(op, json.fromJson(json.toJsonTree(op)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"d\":1}           | op must be a JSON array, got an object",
        "[0]                 | op[0]: retain count must be a positive integer, got 0",
        "[-2]                | op[0]: retain count must be a positive integer, got -2",
        "[1.5]               | op[0]: retain count must be a whole number, got 1.5",
        "[3000000000]        | op[0]: retain count 3000000000 is larger than 2147483647",
        "[1, \"\"]           | op[1]: insert must be a non-empty string",
        "[\"a\\ud83d\"]      | op is not valid JSON: Unpaired surrogate characters are not allowed in strict mode at line 1 column 11 path $[0]",
        "[{\"d\":0}]         | op[0]: delete count must be a positive integer, got 0",
        "[{\"d\":\"abc\"}]   | op[0]: delete count must be a positive integer, got a string",
        "[{\"d\":1,\"x\":2}] | op[0]: delete object has unknown key \"x\"; the only key is \"d\"",
        "[{}]                | op[0]: delete object must be {\"d\": n}, got {}",
        "[true]              | op[0]: expected a positive integer, a non-empty string or {\"d\": n}, got a boolean",
        "[null]              | op[0]: expected a positive integer, a non-empty string or {\"d\": n}, got null",
        "[[1]]               | op[0]: expected a positive integer, a non-empty string or {\"d\": n}, got an array",
        "[1] [2]             | op JSON has content after the array",
        "`[1, 'a']`          | op is not valid JSON: malformed JSON at line 1 column 6 path $[1]",
    })
    void rejectsWithAPreciseMessage(String input, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> json.parse(input));
        assertEquals(message, e.getMessage());
    }

    @Test
    void treeInputIsValidatedToo() {
        com.google.gson.JsonArray tree = new com.google.gson.JsonArray();
        tree.add("a\uD83D");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> json.fromJson(tree));
        assertEquals("op[0]: insert text has a lone surrogate U+D83D at UTF-16 index 1", e.getMessage());
    }

    @Test
    void rejectsUnterminatedJson() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> json.parse("[1, \"ab"));
        assertEquals(true, e.getMessage().startsWith("op is not valid JSON: "), e.getMessage());
    }

    @Test
    void capsTheNumberOfItems() {
        OpJson small = OpJson.withMaxComponents(2);
        assertEquals(TextOperation.insert(1, "a"), small.parse("[1, \"a\"]"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> small.parse("[1, \"a\", 2]"));
        assertEquals("op has 3 items, more than the limit of 2", e.getMessage());
    }
}
