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
