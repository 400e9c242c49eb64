package io.coedit.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coedit.ot.OtClient.State;
import io.coedit.ot.OtClient.Submission;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OtClientTest {

    @Test
    void firstLocalEditIsSentAtOnce() {
        OtClient client = new OtClient(4);
        Optional<Submission> sent = client.applyLocal(TextOperation.insert(0, "a"));
        assertEquals(Optional.of(new Submission(4, 1, TextOperation.insert(0, "a"))), sent);
        assertEquals(State.AWAITING_CONFIRM, client.state());
    }

    @Test
    void editsWhileAwaitingAreComposedIntoTheBuffer() {
        OtClient client = new OtClient(0);
        client.applyLocal(TextOperation.insert(0, "a"));
        assertTrue(client.applyLocal(TextOperation.insert(1, "b")).isEmpty());
        assertTrue(client.applyLocal(TextOperation.insert(2, "c")).isEmpty());
        assertEquals(State.AWAITING_WITH_BUFFER, client.state());
        assertEquals(TextOperation.insert(1, "bc"), client.buffer());

        Optional<Submission> next = client.acknowledge(1, 0);
        assertEquals(Optional.of(new Submission(1, 2, TextOperation.insert(1, "bc"))), next);
        assertEquals(State.AWAITING_CONFIRM, client.state());
        assertTrue(client.acknowledge(2, 1).isEmpty());
        assertEquals(State.SYNCHRONIZED, client.state());
        assertEquals(2, client.version());
    }

    @Test
    void remoteOpIsTransformedAgainstPendingEdits() {
        String server = "hello";
        OtClient client = new OtClient(0);
        String local = server;

        TextOperation mine = TextOperation.insert(5, "!");
        local = mine.apply(local);
        client.applyLocal(mine);
        TextOperation buffered = TextOperation.insert(0, ">");
        local = buffered.apply(local);
        client.applyLocal(buffered);

        // Meanwhile the server committed another client's edit at version 0.
        TextOperation theirs = TextOperation.of(Component.insert("J"), Component.delete(1));
        server = theirs.apply(server);
        TextOperation toApply = client.applyRemote(0, theirs);
        local = toApply.apply(local);
        assertEquals("J>ello!", local); // the committed insert stays first at position 0
        assertEquals(1, client.version());

        // The in-flight op now applies at version 1; the server commits it there.
        Submission inFlight = client.inFlight().orElseThrow();
        assertEquals(1, inFlight.version());
        server = inFlight.op().apply(server);
        Submission next = client.acknowledge(inFlight.seq(), 1).orElseThrow();
        server = next.op().apply(server);
        client.acknowledge(next.seq(), 2);
        assertEquals(local, server);
    }

    @Test
    void serverWinsInsertTies() {
        OtClient client = new OtClient(0);
        client.applyLocal(TextOperation.insert(1, "L"));
        TextOperation remote = client.applyRemote(0, TextOperation.insert(1, "R"));
        assertEquals("aRLb", remote.apply("aLb"));
    }

    @Test
    void selectionIsKeptInPlace() {
        OtClient client = new OtClient(0);
        client.setSelection(Selection.caret(3));
        client.applyRemote(0, TextOperation.insert(0, "xx"));
        assertEquals(Selection.caret(5), client.selection());
        client.applyRemote(1, TextOperation.insert(5, "yy"));
        assertEquals(Selection.caret(5), client.selection());
    }

    @Test
    void incomingPeerSelectionIsShiftedByPendingEdits() {
        OtClient client = new OtClient(0);
        client.applyLocal(TextOperation.insert(0, "abc"));
        assertEquals(new Selection(4, 5), client.transformIncoming(new Selection(1, 2)));
    }

    @Test
    void resendAfterReconnectKeepsTheSequenceNumber() {
        OtClient client = new OtClient(0);
        client.applyLocal(TextOperation.insert(0, "a"));
        client.applyRemote(0, TextOperation.insert(0, "zz"));
        Submission again = client.resend().orElseThrow();
        assertEquals(new Submission(1, 1, TextOperation.insert(2, "a")), again);
    }

    @Test
    void duplicateAcknowledgementIsIgnored() {
        OtClient client = new OtClient(0);
        client.applyLocal(TextOperation.insert(0, "a"));
        client.acknowledge(1, 0);
        assertTrue(client.acknowledge(1, 0).isEmpty());
        assertEquals(1, client.version());
        assertEquals(State.SYNCHRONIZED, client.state());
    }

    @Test
    void outOfOrderMessagesAreRejected() {
        OtClient client = new OtClient(3);
        assertThrows(IllegalStateException.class, () -> client.applyRemote(4, TextOperation.insert(0, "a")));
        assertThrows(IllegalStateException.class, () -> client.applyRemote(2, TextOperation.insert(0, "a")));
        assertThrows(IllegalStateException.class, () -> client.acknowledge(1, 3));
        client.applyLocal(TextOperation.insert(0, "a"));
        assertThrows(IllegalStateException.class, () -> client.acknowledge(1, 5));
        assertEquals(3, client.version());
    }

    @Test
    void noopEditsAreNotSent() {
        OtClient client = new OtClient(0);
        assertTrue(client.applyLocal(TextOperation.NOOP).isEmpty());
        assertEquals(State.SYNCHRONIZED, client.state());
    }

    // ---- healing a diverged client ------------------------------------------------------

    @Test
    void healingKeepsWhatWasTypedAndAppliesItToTheFreshText() {
        // The server holds "hello world"; this client, synchronized at 5, holds "hello wrold".
        OtClient client = new OtClient(5, 3);
        String local = "hello wrold";
        client.beginHeal();
        assertTrue(client.healing());

        TextOperation typed = TextOperation.insert(11, "!");
        local = typed.apply(local);
        assertTrue(client.applyLocal(typed).isEmpty(), "nothing is sent while healing");
        assertEquals(State.AWAITING_WITH_BUFFER, client.state(), "the typing is not acknowledged");

        OtClient.Heal heal = client.reopened(7, "hello wrold", "hello world, again");
        assertEquals("hello world, again!", heal.local().apply(local));
        assertEquals(Optional.of(new Submission(7, 3, TextOperation.insert(18, "!"))), heal.submission());
        assertEquals(7, client.version());
        assertEquals(State.AWAITING_CONFIRM, client.state());
        assertTrue(!client.healing());
    }

    @Test
    void healingWithNothingTypedSendsNothing() {
        OtClient client = new OtClient(2);
        client.beginHeal();
        OtClient.Heal heal = client.reopened(4, "ab", "xb");
        assertEquals("xb", heal.local().apply("ab"));
        assertTrue(heal.submission().isEmpty());
        assertEquals(State.SYNCHRONIZED, client.state());
    }

    @Test
    void anOpInFlightWhenHealingBeginsSettlesFirstAndIsNotSentAgain() {
        OtClient client = new OtClient(0);
        client.applyLocal(TextOperation.insert(0, "a"));
        client.beginHeal();
        client.applyLocal(TextOperation.insert(1, "b"));
        // The in-flight op is committed: acknowledged, and the buffer stays for after the reopen.
        assertTrue(client.acknowledge(1, 0).isEmpty());
        assertTrue(client.inFlight().isEmpty());
        assertEquals(TextOperation.insert(1, "b"), client.buffer());
        OtClient.Heal heal = client.reopened(1, "a", "a");
        assertEquals(Optional.of(new Submission(1, 2, TextOperation.insert(1, "b"))), heal.submission());
    }

    @Test
    void anOpInFlightThatIsRefusedWhileHealingIsReappliedWithTheBuffer() {
        OtClient client = new OtClient(0);
        client.applyLocal(TextOperation.insert(0, "a"));
        client.beginHeal();
        client.applyLocal(TextOperation.insert(1, "b"));
        client.inFlightRefused();
        assertTrue(client.inFlight().isEmpty());
        OtClient.Heal heal = client.reopened(3, "", "xyz");
        assertEquals("xyzab", heal.local().apply("ab"), "the server's text wins ties, as a remote op does");
        assertEquals(Optional.of(new Submission(3, 2, TextOperation.insert(3, "ab"))), heal.submission());
    }

    @Test
    void reopeningBeforeTheInFlightOpSettledIsRefused() {
        OtClient client = new OtClient(0);
        client.applyLocal(TextOperation.insert(0, "a"));
        assertThrows(IllegalStateException.class, () -> client.reopened(1, "", "a"), "not healing");
        client.beginHeal();
        assertThrows(IllegalStateException.class, () -> client.reopened(1, "", "a"));
        assertThrows(IllegalStateException.class, new OtClient(0)::inFlightRefused);
    }

    @Test
    void theDifferenceNeverSplitsASurrogatePair() {
        // U+1F600 and U+1F601 share their high surrogate, and "\uD83D" and "\uDE00" begin and end others.
        for (String[] pair : new String[][] {{"a😀b", "a😁b"}, {"😀", "😁"}, {"x😀", "x😁"}, {"😀x", "😁x"}, {"😀😀", "😀"}}) {
            TextOperation d = OtClient.difference(pair[0], pair[1]);
            assertEquals(pair[1], d.apply(pair[0]), () -> pair[0] + " -> " + pair[1]);
        }
    }
}
