// The Workbox adapter against the real workbox-background-sync Queue (7.x) over fake-indexeddb: Node has no service
// worker, so the test plays its globals (self, location, registration.sync) and fires the `sync` event itself.
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, test } from 'node:test';
import vm from 'node:vm';
import { workboxSync } from '../dist/bellwether-workbox.mjs';
import { client, closeStarted, page, service, start } from './fakes.js';

globalThis.self = globalThis;
globalThis.location = new URL('https://field-notes.test/sw.js');
globalThis.__WB_DISABLE_DEV_LOGS = true;
globalThis.registration = { sync: { register: async () => {} } };
const { Queue } = await import('workbox-background-sync/Queue.mjs');

afterEach(closeStarted);

let queues = 0;
/** A Workbox Queue replaying with the adapter, its Bellwether client and a scripted app server. */
function outbox(answers, options = {}) {
  const wire = service();
  const flags = { 'new-sync-engine': true };
  const bw = start({ fetch: wire.fetch, flags: () => ({ ...flags }) });
  const received = [];
  const dropped = [];
  const appServer = async (request) => {
    received.push({ url: request.url, body: await request.text() });
    const answer = answers.shift();
    if (answer instanceof Error) throw answer;
    return new Response(null, { status: answer });
  };
  const onSync = workboxSync(bw, { fetch: appServer, onDropped: (...args) => dropped.push(args), ...options });
  const name = 'notes-' + ++queues;
  const queue = new Queue(name, { onSync });
  /** Fires the `sync` event the browser would, and answers whether the replay succeeded. */
  const sync = async () => {
    const waits = [];
    page.dispatchEvent(Object.assign(new Event('sync'), { tag: 'workbox-background-sync:' + name, lastChance: false, waitUntil: (p) => waits.push(p) }));
    return Promise.all(waits).then(() => true, () => false);
  };
  const push = (path, metadata) => queue.pushRequest({ request: new Request('https://api.test' + path, { method: 'PUT', body: path }), metadata });
  /** The events delivered to Bellwether so far, each with its beacon's flags. */
  const events = async () => {
    await bw.flush();
    return wire.requests.filter((r) => r.status === 202).flatMap((r) => r.beacon.events.map((e) => ({ ...e, flags: r.beacon.flags })));
  };
  return { queue, sync, push, events, received, dropped, flags };
}

const replays = (events) => events.filter((e) => e.type === 'replay').map((e) => `${e.mutation}:${e.outcome}:${e.attempts}`);

test('Workbox: each queued request is replayed in order and reported: 2xx succeeded, 409 conflicted, other 4xx dead-lettered', async () => {
  const box = outbox([200, 409, 404], { mutationOf: (request) => 'note.' + new URL(request.url).pathname.slice(1) });
  await box.push('/a');
  await box.push('/b', { app: 'own' });
  await box.push('/c');
  assert.equal(await box.sync(), true);
  assert.deepEqual(box.received.map((r) => r.body), ['/a', '/b', '/c'], 'each request as queued, in order');
  assert.equal(await box.queue.size(), 0);
  const events = await box.events();
  assert.deepEqual(replays(events), ['note.a:succeeded:1', 'note.b:conflicted:1', 'note.c:dead_lettered:1']);
  assert.ok(events.filter((e) => e.type === 'replay').every((e) => e.latencyMs >= 0));
  assert.deepEqual(events.filter((e) => e.type === 'outbox').map((e) => e.depth), [0], 'the depth after the sync');
  assert.deepEqual(box.dropped.map(([entry, response, outcome]) => [new URL(entry.request.url).pathname, response.status, outcome, entry.metadata.app]),
    [['/b', 409, 'conflicted', 'own'], ['/c', 404, 'dead_lettered', undefined]], 'the app hears of what left the queue unapplied');
});

test('Workbox: a failed replay goes back to the head of the queue; its attempts count up under one mutation with its first flags', async () => {
  const box = outbox([new TypeError('Failed to fetch'), 200, 503, 429, 200], { mutationOf: () => 'note.update' });
  await box.push('/a', { app: 'own' });
  await box.push('/b');
  const queuedAt = Date.now();
  assert.equal(await box.sync(), false, 'the sync fails, so that the browser tries it again');
  const [head] = await box.queue.getAll();
  assert.equal(new URL(head.request.url).pathname, '/a');
  assert.equal(head.metadata.app, 'own', 'the app\'s metadata is kept');
  assert.equal(head.metadata.bellwether.attempts, 1);
  box.flags['new-sync-engine'] = false;
  assert.equal(await box.sync(), false, '/a succeeds, /b meets a 503');
  assert.equal(await box.sync(), false, '/b meets a 429');
  assert.equal((await box.queue.getAll())[0].metadata.bellwether.attempts, 2);
  assert.equal(await box.sync(), true);
  assert.deepEqual(box.received.map((r) => r.body), ['/a', '/a', '/b', '/b', '/b']);
  const events = await box.events();
  const replayed = events.filter((e) => e.type === 'replay');
  assert.deepEqual(replays(events), ['note.update:retried:1', 'note.update:succeeded:2', 'note.update:retried:1', 'note.update:retried:2', 'note.update:succeeded:3']);
  assert.deepEqual(replayed.map((e) => e.flags['new-sync-engine']), [true, true, false, false, false],
    'each request\'s replays carry the flags of its first replay: its id is kept in the queue entry');
  const depths = events.filter((e) => e.type === 'outbox');
  assert.deepEqual(depths.map((e) => e.depth), [2, 1, 1, 0]);
  assert.ok(depths[0].oldestAgeMs >= 0 && depths[0].oldestAgeMs <= Date.now() - queuedAt + 1000, `${depths[0].oldestAgeMs} ms`);
});

test('Workbox: at maxAttempts a failing request is dead-lettered and leaves the queue; the rest replays', async () => {
  const box = outbox([500, new TypeError('Failed to fetch'), 204], { maxAttempts: 2 });
  await box.push('/a');
  await box.push('/b');
  assert.equal(await box.sync(), false);
  assert.equal(await box.sync(), true);
  assert.equal(await box.queue.size(), 0);
  assert.deepEqual(replays(await box.events()), ['undefined:retried:1', 'undefined:dead_lettered:2', 'undefined:succeeded:1']);
  assert.deepEqual(box.dropped.map(([entry, response, outcome]) => [new URL(entry.request.url).pathname, response, outcome]), [['/a', null, 'dead_lettered']]);
  assert.throws(() => workboxSync({}, {}), /client from Bellwether.init/);
  assert.throws(() => workboxSync(client(), { maxAttempts: 0 }), /maxAttempts/);
});

test('the Workbox adapter\'s script build adds Bellwether.workboxSync beside init, for importScripts in a service worker', () => {
  const context = vm.createContext({});
  for (const file of ['bellwether.js', 'bellwether-workbox.js']) vm.runInContext(readFileSync(new URL('../dist/' + file, import.meta.url), 'utf8'), context);
  assert.equal(typeof context.Bellwether.init, 'function');
  assert.equal(typeof context.Bellwether.workboxSync, 'function');
});
