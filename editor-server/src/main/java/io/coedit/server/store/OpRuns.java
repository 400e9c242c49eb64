package io.coedit.server.store;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonWriter;
import io.coedit.ot.json.OpJson;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored form of a run: consecutive operations of one document as one JSON array, one
 * object per version in order,
 *
 * <pre>{@code [{"op": [3, "a"], "client": "k3J", "seq": 7, "user": "ann", "ts": 1764748800000}, …]}</pre>
 *
 * where {@code op} is the ot-text-unicode wire form, so other tools can read the history
 * without this code. The version of the k-th object is the run's first version plus k.
 */
final class OpRuns {
    /**
     * The wire codec's component limit protects the server from what clients send; what the
     * store reads back is what it wrote itself, possibly an operation that transformation
     * made longer than any client could send, so reading it must never be refused.
     */
    private static final OpJson OPS = OpJson.withMaxComponents(Integer.MAX_VALUE);

    private OpRuns() {}

    /** The stored form of {@code ops}, which must be consecutive versions. */
    static String encode(List<StoredOp> ops) {
        StringWriter out = new StringWriter(64 * ops.size());
        try (JsonWriter json = new JsonWriter(out)) {
            json.setSerializeNulls(true);
            json.beginArray();
            for (StoredOp op : ops) {
                json.beginObject();
                json.name("op").jsonValue(OPS.toJson(op.op()));
                json.name("client").value(op.clientId());
                json.name("seq").value(op.seq());
                json.name("user").value(op.userId());
                json.name("ts").value(op.timestamp());
                json.endObject();
            }
            json.endArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /**
     * The operations of a stored run that starts at {@code firstVersion}, those with versions
     * in {@code [from, to)} only.
     *
     * @throws StoreException if the text is not a run this class wrote
     */
    static List<StoredOp> decode(String docId, long firstVersion, String stored, long from, long to) {
        try {
            JsonArray items = JsonParser.parseString(stored).getAsJsonArray();
            // Clamped before subtracting: from and to may be anything, even Long.MIN_VALUE.
            int start = (int) (Math.min(Math.max(from, firstVersion), firstVersion + items.size()) - firstVersion);
            int end = (int) (Math.max(Math.min(to, firstVersion + items.size()), firstVersion) - firstVersion);
            List<StoredOp> ops = new ArrayList<>(Math.max(0, end - start));
            for (int k = start; k < end; k++) {
                JsonObject item = items.get(k).getAsJsonObject();
                JsonElement user = item.get("user");
                ops.add(new StoredOp(firstVersion + k, OPS.fromJson(item.get("op")), item.get("client").getAsString(),
                        item.get("seq").getAsLong(), user == null || user.isJsonNull() ? null : user.getAsString(),
                        item.get("ts").getAsLong()));
            }
            return ops;
        } catch (RuntimeException e) {
            throw new StoreException("the run of document " + docId + " at version " + firstVersion
                    + " is not readable: " + e.getMessage(), e);
        }
    }
}
