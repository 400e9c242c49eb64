/**
 * Unsent edits in storage: a reloaded page adopts what the previous one left, a live
 * page's record is left alone, and nothing is kept once everything is acknowledged.
 */
import { test, assert, assertEqual } from '../harness.js';
import { PendingEdits, MemoryStorage } from '../../js/pending-edits.js';
import { OtClient } from '../../js/ot-client.js';
import { TextOperation } from '../../js/text-operation.js';

function clientWithEdits() {
    const client = new OtClient(5, 2);
    client.applyLocal(TextOperation.insert(3, '😀'));
    client.applyLocal(TextOperation.insert(0, '>'));
    return client;
}

test('a released record is adopted by the next page, with its client id and text', () => {
    const storage = new MemoryStorage();
    let now = 1000;
    const first = new PendingEdits(storage, 'notes', { pageId: 'p1', now: () => now });
    first.save({ clientId: 'c-1', client: clientWithEdits().toJSON(), text: 'abc', unsent: { inFlight: 1, buffer: 1 } });
    first.release();
    now += 10;
    const second = new PendingEdits(storage, 'notes', { pageId: 'p2', now: () => now });
    const adopted = second.adopt();
    assertEqual(adopted.clientId, 'c-1');
    assertEqual(adopted.text, 'abc');
    assertEqual(adopted.client.inFlight, { version: 5, seq: 2, op: [3, '😀'] });
    assertEqual(adopted.unsent, { inFlight: 1, buffer: 1 });
    assertEqual(new PendingEdits(storage, 'notes', { pageId: 'p3', now: () => now }).adopt(), null, 'adopted once only');
});

test('a live page keeps its record; a silent one loses it', () => {
    const storage = new MemoryStorage();
    let now = 1000;
    const live = new PendingEdits(storage, 'notes', { pageId: 'p1', now: () => now, staleAfterMs: 15000 });
    live.save({ clientId: 'c-1', client: clientWithEdits().toJSON(), text: 'abc', unsent: { inFlight: 1, buffer: 0 } });
    now += 5000;
    assertEqual(new PendingEdits(storage, 'notes', { pageId: 'p2', now: () => now }).adopt(), null, 'a duplicated tab');
    live.heartbeat();
    now += 14000;
    assertEqual(new PendingEdits(storage, 'notes', { pageId: 'p3', now: () => now }).adopt(), null, 'heartbeat kept it');
    now += 2000;
    assert(new PendingEdits(storage, 'notes', { pageId: 'p4', now: () => now }).adopt() !== null, 'crashed page');
});

test('other documents are not touched, and a cleared record leaves nothing behind', () => {
    const storage = new MemoryStorage();
    const page = new PendingEdits(storage, 'a', { pageId: 'p1' });
    page.save({ clientId: null, client: clientWithEdits().toJSON(), text: 'x', unsent: { inFlight: 1, buffer: 0 } });
    page.release();
    assertEqual(new PendingEdits(storage, 'b', { pageId: 'p2' }).adopt(), null, 'another document');
    page.clear();
    assertEqual(storage.length, 0, 'keys left');
});

test('the text is rewritten only when the version moves, and the old one is removed', () => {
    const storage = new MemoryStorage();
    const page = new PendingEdits(storage, 'a', { pageId: 'p1' });
    const client = clientWithEdits();
    page.save({ clientId: 'c', client: client.toJSON(), text: 'v5', unsent: { inFlight: 1, buffer: 1 } });
    client.applyRemote(5, TextOperation.insert(0, 'z'));
    page.save({ clientId: 'c', client: client.toJSON(), text: 'v6', unsent: { inFlight: 1, buffer: 1 } });
    const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i)).sort();
    assertEqual(keys, ['coedit:base:a:p1:6', 'coedit:pending:a:p1']);
});
