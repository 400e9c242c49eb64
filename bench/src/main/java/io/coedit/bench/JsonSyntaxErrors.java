package io.coedit.bench;

/**
 * Gson's messages for malformed JSON, trimmed for the person who sent the JSON. Gson
 * addresses the programmer who set up the reader ("Use JsonReader.setStrictness(...) to
 * accept malformed JSON", a troubleshooting link); what the sender needs is what is wrong
 * and where, which the rest of the message says.
 */
public final class JsonSyntaxErrors {
    private static final String LENIENCY_ADVICE = "Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON";

    private JsonSyntaxErrors() {}

    /** The message of {@code e}'s root cause, e.g. "malformed JSON at line 1 column 3 path $.". */
    public static String message(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        String message = String.valueOf(e.getMessage());
        int link = message.indexOf("\nSee ");
        if (link >= 0) {
            message = message.substring(0, link);
        }
        return message.replace(LENIENCY_ADVICE, "malformed JSON");
    }
}
