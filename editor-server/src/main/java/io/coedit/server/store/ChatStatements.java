package io.coedit.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The SQL of a document's chat: store a message and get its id, read the last few. The
 * generated id is asked for by column name as the database reports it: {@code ID} in H2,
 * which folds unquoted names to upper case, {@code id} in PostgreSQL, which folds them to
 * lower case.
 */
final class ChatStatements {

    private ChatStatements() {}

    static ChatMessage add(Connection c, String idColumn, String docId, String userId, String userName, String text,
            long timestamp) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO chat (doc_id, user_id, user_name, text, ts) VALUES (?, ?, ?, ?, ?)", new String[] {idColumn})) {
            s.setString(1, docId);
            s.setString(2, userId);
            s.setString(3, userName);
            s.setString(4, text);
            s.setLong(5, timestamp);
            s.executeUpdate();
            try (ResultSet keys = s.getGeneratedKeys()) {
                keys.next();
                return new ChatMessage(keys.getLong(1), docId, userId, userName, text, timestamp);
            }
        }
    }

    static List<ChatMessage> recent(Connection c, String docId, int limit) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT id, user_id, user_name, text, ts FROM chat WHERE doc_id = ? ORDER BY id DESC LIMIT ?")) {
            s.setString(1, docId);
            s.setInt(2, limit);
            try (ResultSet rs = s.executeQuery()) {
                List<ChatMessage> newestFirst = new ArrayList<>();
                while (rs.next()) {
                    newestFirst.add(new ChatMessage(rs.getLong(1), docId, rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getLong(5)));
                }
                Collections.reverse(newestFirst);
                return Collections.unmodifiableList(newestFirst);
            }
        }
    }
}
