/**
 * coedit's operational-transformation engine for plain text.
 *
 * <p>{@link io.coedit.ot.TextOperation} is the algebra (apply, compose, transform, invert),
 * {@link io.coedit.ot.Rope} the document model, {@link io.coedit.ot.OtClient} the client
 * state machine. {@link io.coedit.ot.json.OpJson} reads and writes the wire form and is the
 * only part that needs Gson, which is therefore an optional ({@code static}) dependency.
 */
module io.coedit.ot {
    requires static com.google.gson;

    exports io.coedit.ot;
    exports io.coedit.ot.json;
}
