/**
 * The three-state client, case for case the scenarios of the Java engine's OtClientTest,
 * so both clients are held to the same behaviour.
 */
import { test, assert, assertEqual, assertThrows } from '../harness.js';
import { TextOperation } from '../../js/text-operation.js';
import { OtClient, State, ClientStateError } from '../../js/ot-client.js';

const ins = (p, t) => TextOperation.insert(p, t);
const sub = s => s && { version: s.version, seq: s.seq, op: s.op.toJSON() };

test('the first local edit is sent at once', () => {
    const client = new OtClient(4);
    assertEqual(sub(client.applyLocal(ins(0, 'a'))), { version: 4, seq: 1, op: ['a'] });
    assertEqual(client.state, State.AWAITING_CONFIRM);
});

test('edits while awaiting are composed into the buffer', () => {
    const client = new OtClient(0);
    client.applyLocal(ins(0, 'a'));
    assertEqual(client.applyLocal(ins(1, 'b')), null);
    assertEqual(client.applyLocal(ins(2, 'c')), null);
    assertEqual(client.state, State.AWAITING_WITH_BUFFER);
    assertEqual(client.buffer.toJSON(), [1, 'bc']);
    assertEqual(sub(client.acknowledge(1, 0)), { version: 1, seq: 2, op: [1, 'bc'] });
    assertEqual(client.state, State.AWAITING_CONFIRM);
    assertEqual(client.acknowledge(2, 1), null);
    assertEqual(client.state, State.SYNCHRONIZED);
    assertEqual(client.version, 2);
});

test('a remote op is transformed against pending edits', () => {
    let server = 'hello';
    const client = new OtClient(0);
    let local = server;
    const mine = ins(5, '!');
    local = mine.apply(local);
    client.applyLocal(mine);
    const buffered = ins(0, '>');
    local = buffered.apply(local);
    client.applyLocal(buffered);

    const theirs = TextOperation.fromJSON(['J', { d: 1 }]);
    server = theirs.apply(server);
    local = client.applyRemote(0, theirs).apply(local);
    assertEqual(local, 'J>ello!', 'the committed insert stays first at position 0');
    assertEqual(client.version, 1);

    const inFlight = client.inFlight;
    assertEqual(inFlight.version, 1);
    server = inFlight.op.apply(server);
    const next = client.acknowledge(inFlight.seq, 1);
    server = next.op.apply(server);
    client.acknowledge(next.seq, 2);
    assertEqual(local, server);
});

test('the server wins insert ties', () => {
    const client = new OtClient(0);
    client.applyLocal(ins(1, 'L'));
    assertEqual(client.applyRemote(0, ins(1, 'R')).apply('aLb'), 'aRLb');
});

test('the selection is kept in place', () => {
    const client = new OtClient(0);
    client.selection = { anchor: 3, head: 3 };
    client.applyRemote(0, ins(0, 'xx'));
    assertEqual(client.selection, { anchor: 5, head: 5 });
    client.applyRemote(1, ins(5, 'yy'));
    assertEqual(client.selection, { anchor: 5, head: 5 });
});

test('a peer selection is shifted by pending edits, and ours is expressed at the server version', () => {
    const client = new OtClient(0);
    client.applyLocal(ins(0, 'abc'));
    assertEqual(client.transformIncoming({ anchor: 1, head: 2 }), { anchor: 4, head: 5 });
    assertEqual(client.outgoingSelection({ anchor: 4, head: 5 }), { anchor: 1, head: 2 });
    assertEqual(client.outgoingSelection({ anchor: 2, head: 2 }), { anchor: 0, head: 0 }, 'inside unsent text: where it goes in');
});

test('resend after a reconnect keeps the sequence number', () => {
    const client = new OtClient(0);
    client.applyLocal(ins(0, 'a'));
    client.applyRemote(0, ins(0, 'zz'));
    assertEqual(sub(client.resend()), { version: 1, seq: 1, op: [2, 'a'] });
});

test('a duplicate acknowledgement is ignored', () => {
    const client = new OtClient(0);
    client.applyLocal(ins(0, 'a'));
    client.acknowledge(1, 0);
    assertEqual(client.acknowledge(1, 0), null);
    assertEqual(client.version, 1);
    assertEqual(client.state, State.SYNCHRONIZED);
});

test('out-of-order messages are rejected', () => {
    const client = new OtClient(3);
    assertThrows(() => client.applyRemote(4, ins(0, 'a')), ClientStateError);
    assertThrows(() => client.applyRemote(2, ins(0, 'a')), ClientStateError);
    assertThrows(() => client.acknowledge(1, 3), ClientStateError);
    client.applyLocal(ins(0, 'a'));
    assertThrows(() => client.acknowledge(1, 5), ClientStateError);
    assertEqual(client.version, 3);
});

test('no-op edits are not sent', () => {
    const client = new OtClient(0);
    assertEqual(client.applyLocal(TextOperation.NOOP), null);
    assertEqual(client.state, State.SYNCHRONIZED);
});

test('the state survives a round trip through JSON (a page reload)', () => {
    const client = new OtClient(7, 3);
    client.applyLocal(ins(0, 'a'));
    client.applyLocal(ins(1, '😀'));
    const again = OtClient.fromJSON(JSON.parse(JSON.stringify(client)));
    assertEqual(again.state, State.AWAITING_WITH_BUFFER);
    assertEqual(sub(again.inFlight), { version: 7, seq: 3, op: ['a'] });
    assertEqual(again.buffer.toJSON(), [1, '😀']);
    assertEqual(again.nextSeq, 4);
    assert(again.acknowledge(3, 7) !== null, 'the buffer goes out after the ack');
});

// ---- healing a diverged client (as OtClientTest's healing cases) ---------------------------

test('healing keeps what was typed and applies it to the fresh text', () => {
    const client = new OtClient(5, 3);
    let local = 'hello wrold';
    client.beginHeal();
    assert(client.healing, 'healing');
    const typed = ins(11, '!');
    local = typed.apply(local);
    assertEqual(client.applyLocal(typed), null, 'nothing is sent while healing');
    assertEqual(client.state, State.AWAITING_WITH_BUFFER, 'the typing is not acknowledged');
    const heal = client.reopened(7, 'hello wrold', 'hello world, again');
    assertEqual(heal.local.apply(local), 'hello world, again!');
    assertEqual(sub(heal.submission), { version: 7, seq: 3, op: [18, '!'] });
    assertEqual(client.version, 7);
    assertEqual(client.state, State.AWAITING_CONFIRM);
    assert(!client.healing, 'healed');
});

test('healing with nothing typed sends nothing', () => {
    const client = new OtClient(2);
    client.beginHeal();
    const heal = client.reopened(4, 'ab', 'xb');
    assertEqual(heal.local.apply('ab'), 'xb');
    assertEqual(heal.submission, null);
    assertEqual(client.state, State.SYNCHRONIZED);
});

test('an op in flight when healing begins settles first and is not sent again', () => {
    const client = new OtClient(0);
    client.applyLocal(ins(0, 'a'));
    client.beginHeal();
    client.applyLocal(ins(1, 'b'));
    assertEqual(client.acknowledge(1, 0), null, 'the buffer waits for the reopen');
    assertEqual(client.inFlight, null);
    assertEqual(client.buffer.toJSON(), [1, 'b']);
    assertEqual(sub(client.reopened(1, 'a', 'a').submission), { version: 1, seq: 2, op: [1, 'b'] });
});

test('an op in flight that is refused while healing is re-applied with the buffer', () => {
    const client = new OtClient(0);
    client.applyLocal(ins(0, 'a'));
    client.beginHeal();
    client.applyLocal(ins(1, 'b'));
    client.inFlightRefused();
    assertEqual(client.inFlight, null);
    const heal = client.reopened(3, '', 'xyz');
    assertEqual(heal.local.apply('ab'), 'xyzab', "the server's text wins ties, as a remote op does");
    assertEqual(sub(heal.submission), { version: 3, seq: 2, op: [3, 'ab'] });
});

test('reopening before the op in flight settled is refused', () => {
    const client = new OtClient(0);
    client.applyLocal(ins(0, 'a'));
    assertThrows(() => client.reopened(1, '', 'a'), ClientStateError, 'not healing');
    client.beginHeal();
    assertThrows(() => client.reopened(1, '', 'a'), ClientStateError, 'in flight');
    assertThrows(() => new OtClient(0).inFlightRefused(), ClientStateError, 'nothing in flight');
});

test('the difference never splits a surrogate pair', () => {
    // U+1F600 and U+1F601 share their high surrogate: the replaced range must take the whole
    // pair (half of one would be a lone surrogate, which an insert refuses).
    const client = new OtClient(0);
    client.beginHeal();
    const heal = client.reopened(1, 'a\u{1F600}b', 'a\u{1F601}b');
    assertEqual(heal.local.apply('a\u{1F600}b'), 'a\u{1F601}b');
});

