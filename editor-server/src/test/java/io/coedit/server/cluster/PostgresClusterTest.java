package io.coedit.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coedit.ot.Selection;
import io.coedit.server.session.Cluster.Event;
import io.coedit.server.session.User;
import io.coedit.server.store.ChatMessage;
import io.coedit.server.store.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two nodes' links over a real PostgreSQL server: what one publishes, the other hears, and only the other. */
class PostgresClusterTest {
    private PostgresServer pg;
    private String url;
    private final List<PostgresCluster> open = new ArrayList<>();

    @BeforeEach
    void database() {
        pg = PostgresServer.shared();
        url = pg.jdbcUrl(pg.newDatabase());
    }

    @AfterEach
    void closeAll() {
        open.forEach(PostgresCluster::close);
    }

    private record Node(PostgresCluster link, LinkedBlockingQueue<Event> heard) {
        Event await(Predicate<Event> what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                Event e = heard.poll(100, TimeUnit.MILLISECONDS);
                if (e != null && what.test(e)) {
                    return e;
                }
            }
            throw new AssertionError("not heard within 20 s");
        }
    }

    private Node node() throws InterruptedException {
        return node(new PostgresCluster(url, pg.user(), pg.password()));
    }

    private Node node(PostgresCluster link) throws InterruptedException {
        open.add(link);
        LinkedBlockingQueue<Event> heard = new LinkedBlockingQueue<>();
        link.start(heard::add);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!link.listening() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(link.listening(), "the link listens");
        return new Node(link, heard);
    }

    @Test
    void eachEventReachesTheOtherNodeAsSent() throws Exception {
        Node a = node();
        Node b = node();
        User ann = new User("u-1", "Ann \"the\" Ünicode 😀", "#123456");
        List<Event> sent = List.of(
                new Event.Committed("doc-1", 42),
                new Event.Presence(a.link.node(), "doc-1", "c-1", ann, 41, List.of(new Selection(1, 3), Selection.caret(7))),
                new Event.Presence(a.link.node(), "doc-1", "c-1", ann, 41, null),
                new Event.Leave(a.link.node(), "doc-1", "c-1"),
                new Event.Chat("doc-1", 9, new ChatMessage(9, "doc-1", "u-1", "Ann", "hi 😀", 1_700_000_000_000L)),
                new Event.Who(a.link.node(), "doc-2"));
        for (Event e : sent) {
            a.link.publish(e);
        }
        for (Event e : sent) {
            assertEquals(e, b.await(x -> !(x instanceof Event.NodeGone)));
        }
        // Its own events are not handed back to the sender.
        b.link.publish(new Event.Committed("doc-3", 1));
        a.await(e -> e.equals(new Event.Committed("doc-3", 1)));
        for (Event e : a.heard) {
            assertTrue(!(e instanceof Event.Committed c) || !c.doc().equals("doc-1"), "a heard its own event: " + e);
        }
    }

    @Test
    void whatDoesNotFitOneNotificationIsCutToWhatDoes() throws Exception {
        Node a = node();
        Node b = node();
        String longLine = "€".repeat(3_000); // 9,000 bytes
        a.link.publish(new Event.Chat("doc-1", 5, new ChatMessage(5, "doc-1", "u-1", "Ann", longLine, 1L)));
        Event.Chat chat = (Event.Chat) b.await(e -> e instanceof Event.Chat);
        assertEquals(5, chat.id());
        assertNull(chat.message(), "a line too long to carry goes as its id, to be read from the store");

        // The most a presence may hold (100 ranges of the largest positions, a 64-character
        // name of 4-byte characters) fits whole.
        List<Selection> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(new Selection(Integer.MAX_VALUE - i, Integer.MAX_VALUE - 2 * i));
        }
        User user = new User("u-2", "😀".repeat(64), "#654321");
        Event.Presence big = new Event.Presence(a.link.node(), "d".repeat(128), "c-2", user, Long.MAX_VALUE, many);
        assertTrue(a.link.encode(big).getBytes(StandardCharsets.UTF_8).length <= PostgresCluster.MAX_PAYLOAD_BYTES);
        a.link.publish(big);
        assertEquals(big, b.await(e -> e instanceof Event.Presence));
    }

    @Test
    void aNodeThatClosesOrFallsSilentIsReportedGone() throws Exception {
        Node a = node();
        Node b = node();
        Node c = node();
        a.link.publish(new Event.Who(a.link.node(), "doc-1"));
        c.await(e -> e instanceof Event.Who);
        a.link.close(); // says goodbye
        assertEquals(new Event.NodeGone(a.link.node()), c.await(e -> e instanceof Event.NodeGone));
        // b was heard alive by c; a link that stops without a word (its process killed) goes silent.
        b.link.publish(new Event.Who(b.link.node(), "doc-1"));
        c.await(e -> e instanceof Event.Who w && w.node().equals(b.link.node()));
        b.link.silence();
        assertEquals(new Event.NodeGone(b.link.node()), c.await(e -> e instanceof Event.NodeGone g
                && g.node().equals(b.link.node())));
        // Heard from again (it was only paused): c drops nothing more, and asks who is there anew.
        node(new PostgresCluster(url, pg.user(), pg.password(), b.link.node()));
        assertEquals(new Event.Resync(), c.await(e -> e instanceof Event.Resync));
    }
}
