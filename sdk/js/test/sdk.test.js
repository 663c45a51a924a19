import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { closeStarted, start, page, service, sleep, until } from './fakes.js';

afterEach(async () => {
  await closeStarted();
  globalThis.navigator = { onLine: true };
  globalThis.document.visibilityState = 'visible';
});

const longName = (i) => `note.update.${i}.`.padEnd(128, 'x');

test('batches the events of the interval into one beacon, with the key in the header and unique ids', async () => {
  const wire = service();
  const bw = start({ fetch: wire.fetch, intervalMs: 500 });
  const recordedAt = Date.now();
  await Promise.all([
    bw.outbox({ depth: 12, oldestAgeMs: 45000 }),
    bw.sync({ latencyMs: 1200, stalenessMs: 30000 }),
    bw.conflict({ entity: 'note', resolution: 'auto_merged' }),
    bw.migration({ fromVersion: 3, toVersion: 4, outcome: 'succeeded', durationMs: 120 }),
  ]);
  await until(() => wire.requests.length === 1);
  assert.ok(wire.requests[0].at - recordedAt >= 500, 'nothing is sent before the interval');
  const { url, init, beacon } = wire.requests[0];
  assert.equal(url, 'https://bellwether.test/v1/beacons');
  assert.equal(init.method, 'POST');
  assert.equal(init.headers.Authorization, 'Bearer ik-test');
  assert.equal(init.headers['Content-Type'], 'application/json');
  assert.equal(init.keepalive, true);
  assert.deepEqual({ ...beacon, client: undefined, events: undefined, sdk: undefined },
    { schema: 1, app: 'field-notes', release: '2026.11.3', flags: { 'new-sync-engine': true }, client: undefined, events: undefined, sdk: undefined });
  assert.match(beacon.client, /^c-[0-9a-f]{24}$/);
  assert.deepEqual(beacon.events.map((e) => e.type), ['outbox', 'sync', 'conflict', 'migration']);
  assert.equal(new Set(beacon.events.map((e) => e.id)).size, 4);
  for (const event of beacon.events) assert.ok(Math.abs(Date.parse(event.at) - Date.now()) < 5000, event.at);
  assert.deepEqual(beacon.events[0], { id: beacon.events[0].id, type: 'outbox', at: beacon.events[0].at, depth: 12, oldestAgeMs: 45000 });
  assert.deepEqual(beacon.sdk, { name: 'bellwether-js', version: '0.1.0', dropped: {} });
  await until(() => bw.stats().queued === 0);
  assert.equal(bw.stats().sent, 4);
  assert.equal(bw.stats().nextAttemptAt, null, 'nothing left, nothing scheduled');
});

test('an event is in IndexedDB once its call resolves: another instance over the same database delivers it', async () => {
  const first = start({ fetch: service().fetch });
  const id = await first.replay({ mutationId: 'm-42', mutation: 'note.update', outcome: 'succeeded', attempts: 1, latencyMs: 900 });
  const wire = service();
  const reloaded = start({ fetch: wire.fetch, indexedDB: first.indexedDB });
  await reloaded.flush();
  assert.deepEqual(wire.delivered().map((e) => e.id), [id]);
  assert.equal(wire.requests[0].beacon.events[0].mutationId, undefined, 'mutationId is the SDK\'s own, not sent');
  const firstWire = service();
  const later = start({ fetch: firstWire.fetch, indexedDB: first.indexedDB });
  await later.sync({ latencyMs: 1 });
  await later.flush();
  assert.equal(firstWire.requests[0].beacon.client, wire.requests[0].beacon.client, 'the client id is kept in IndexedDB');
  assert.notEqual(firstWire.delivered()[0].id, id, 'event ids are not reused');
});

test('a repeat failure is sent at once; a first failure waits for the interval', async () => {
  const wire = service();
  const bw = start({ fetch: wire.fetch });
  await bw.replay({ mutationId: 'm-1', outcome: 'retried', attempts: 1 });
  await bw.replay({ mutationId: 'm-2', outcome: 'succeeded', attempts: 3 });
  await sleep(100);
  assert.equal(wire.requests.length, 0);
  await bw.replay({ mutationId: 'm-1', outcome: 'retried', attempts: 2 });
  await until(() => wire.requests.length === 1);
  assert.equal(wire.requests[0].beacon.events.length, 3);
  await bw.replay({ mutationId: 'm-3', outcome: 'dead_lettered', attempts: 1 });
  await until(() => wire.requests.length === 2);
  assert.equal(wire.requests[1].beacon.events[0].outcome, 'dead_lettered');
});

test('a mutation\'s replays carry the flags of its first attempt, across a reload, in beacons of their own', async () => {
  const flags = { 'new-sync-engine': false };
  const wire = service();
  const bw = start({ fetch: wire.fetch, flags: () => ({ ...flags }) });
  await bw.replay({ mutationId: 'm-7', outcome: 'retried', attempts: 1 });
  flags['new-sync-engine'] = true;
  await bw.conflict({ mutationId: 'm-7', resolution: 'server_wins' });
  await bw.replay({ mutationId: 'm-7', outcome: 'retried', attempts: 2 });
  await bw.sync({ latencyMs: 300 });
  await bw.flush();
  const reloaded = start({ fetch: wire.fetch, flags: () => ({ ...flags }), indexedDB: bw.indexedDB });
  await reloaded.replay({ mutationId: 'm-7', outcome: 'succeeded', attempts: 3 });
  await reloaded.flush();
  const byFlags = (on) => wire.delivered().filter((e, i, all) => wire.requests.find((r) => r.beacon.events.includes(e)).beacon.flags['new-sync-engine'] === on);
  assert.deepEqual(byFlags(false).map((e) => e.type + ':' + (e.attempts || e.resolution)), ['replay:1', 'conflict:server_wins', 'replay:2', 'replay:3']);
  assert.deepEqual(byFlags(true).map((e) => e.type), ['sync']);
  for (const { beacon } of wire.requests) assert.equal(new Set(beacon.events.map(() => JSON.stringify(beacon.flags))).size, 1);
});

test('beacons are split under 64 KiB, by fetch and by sendBeacon when the page hides', async () => {
  const wire = service();
  const beacons = [];
  const bw = start({ fetch: wire.fetch });
  await Promise.all(Array.from({ length: 500 }, (_, i) => bw.replay({ mutation: longName(i), outcome: 'succeeded', attempts: 1 })));
  globalThis.navigator = { onLine: true, sendBeacon: (url, body) => beacons.push({ url, body }) > 0 };
  globalThis.document.visibilityState = 'hidden';
  globalThis.document.dispatchEvent(new Event('visibilitychange'));
  page.dispatchEvent(new Event('pagehide'));
  assert.ok(beacons.length >= 2, `${beacons.length} beacons`);
  for (const { url, body } of beacons) {
    assert.equal(url, 'https://bellwether.test/v1/beacons?key=ik-test');
    assert.equal(typeof body, 'string', 'a string goes as text/plain');
    assert.ok(Buffer.byteLength(body) < 64 * 1024, `${Buffer.byteLength(body)} bytes`);
    assert.ok(JSON.parse(body).events.length <= 1000);
  }
  const beaconed = beacons.flatMap(({ body }) => JSON.parse(body).events.map((e) => e.id));
  assert.equal(new Set(beaconed).size, 500, 'each event once, although the page hid twice');
  assert.equal(bw.stats().queued, 500, 'a beacon gets no answer: the events stay until a 202 names them');

  await bw.flush();
  assert.ok(wire.requests.length >= 2);
  for (const { bytes, init } of wire.requests) {
    assert.ok(bytes < 64 * 1024, `${bytes} bytes`);
    assert.equal(init.keepalive, true);
  }
  assert.equal(new Set(wire.delivered().map((e) => e.id)).size, 500);
  assert.equal(bw.stats().queued, 0);
});

test('413 splits the beacon smaller; a single event refused as too large is dropped and counted', async () => {
  const wire = service((beacon) => (beacon.events.length > 10 ? 413 : 202), (beacon) => (beacon.events.length > 10 ? 413 : 202),
    (beacon) => (beacon.events.length > 10 ? 413 : 202), (beacon) => (beacon.events.length > 10 ? 413 : 202));
  const bw = start({ fetch: wire.fetch });
  await Promise.all(Array.from({ length: 40 }, (_, i) => bw.sync({ latencyMs: i })));
  await bw.flush();
  assert.equal(new Set(wire.delivered().map((e) => e.latencyMs)).size, 40);
  assert.deepEqual(bw.stats().dropped, {});

  const tooLarge = service(413);
  const single = start({ fetch: tooLarge.fetch });
  await single.sync({ latencyMs: 1 });
  await single.flush();
  assert.deepEqual(single.stats().dropped, { too_large: 1 });
  assert.equal(single.stats().queued, 0);
});

test('storage is bounded by events and bytes: the oldest are dropped, counted, and reported in the sdk field', async () => {
  const wire = service();
  const bw = start({ fetch: wire.fetch, maxEvents: 5 });
  for (let i = 0; i < 8; i++) await bw.sync({ latencyMs: i });
  assert.equal(bw.stats().queued, 5);
  assert.deepEqual(bw.stats().dropped, { overflow: 3 });
  await bw.flush();
  assert.deepEqual(wire.delivered().map((e) => e.latencyMs), [3, 4, 5, 6, 7]);
  assert.deepEqual(wire.requests[0].beacon.sdk.dropped, { overflow: 3 });

  const bytes = start({ fetch: service().fetch, maxBytes: 1000 });
  for (let i = 0; i < 20; i++) await bytes.replay({ mutation: longName(i), outcome: 'succeeded' });
  assert.ok(bytes.stats().queuedBytes <= 1000, `${bytes.stats().queuedBytes} bytes`);
  assert.equal(bytes.stats().queued + bytes.stats().dropped.overflow, 20);
});

test('totals stored by an earlier version of the SDK (without the trim\'s mark) are counted again from the events', async () => {
  const earlier = start({ fetch: service().fetch });
  await earlier.sync({ latencyMs: 1 });
  await earlier.sync({ latencyMs: 2 });
  await earlier.close();
  const db = await new Promise((resolve) => {
    const request = earlier.indexedDB.open('bellwether-field-notes', 1);
    request.onsuccess = () => resolve(request.result);
  });
  await new Promise((resolve) => {
    const transaction = db.transaction('meta', 'readwrite');
    transaction.objectStore('meta').put({ count: 7, bytes: 9, mutations: 0, order: 0, dropped: { overflow: 1 } }, 'totals');
    transaction.oncomplete = resolve;
  });
  db.close();
  const wire = service();
  const later = start({ fetch: wire.fetch, indexedDB: earlier.indexedDB });
  await until(() => wire.delivered().length === 2);
  await until(() => later.stats().queued === 0); // 7 had the stored count been kept
  assert.deepEqual(later.stats().dropped, { overflow: 1 });
});

test('202 removes the events it names; 503 keeps them and honours Retry-After', async () => {
  const wire = service({ status: 503, headers: { 'Retry-After': '1' } });
  const bw = start({ fetch: wire.fetch });
  await bw.sync({ latencyMs: 5 });
  const before = Date.now();
  await assert.rejects(bw.flush(), /503/);
  assert.equal(bw.stats().queued, 1);
  const retryAt = (await bw.flush().catch((e) => e)).retryAt;
  assert.ok(retryAt >= before + 1000 && retryAt <= Date.now() + 1000, 'a flush during Retry-After rejects at once');
  assert.equal(wire.requests.length, 1, 'and sends nothing');
  assert.ok(bw.stats().nextAttemptAt >= before + 1000);
  await until(() => wire.delivered().length === 1, 3000);
  assert.ok(Date.now() - before >= 1000, 'sent again only after Retry-After');
  await until(() => bw.stats().queued === 0);
  assert.equal(wire.requests[0].beacon.events[0].id, wire.requests[1].beacon.events[0].id, 'the same event id, counted once by the service');
});

test('429 honours Retry-After given as an HTTP date', async () => {
  const wire = service({ status: 429, headers: { 'Retry-After': new Date(Date.now() + 30000).toUTCString() } });
  const bw = start({ fetch: wire.fetch });
  await bw.sync({ latencyMs: 5 });
  await assert.rejects(bw.flush(), /429/);
  const wait = bw.stats().nextAttemptAt - Date.now();
  assert.ok(wait > 28000 && wait <= 30000, `${wait} ms`);
});

test('other failures back off exponentially with full jitter, capped; online sends again at once', async (t) => {
  t.mock.method(Math, 'random', () => 0.999);
  const down = new TypeError('fetch failed');
  const wire = service(down, down, down, down, 500);
  // Long enough that no scheduled send runs during the test, which drives each attempt with flush().
  const bw = start({ fetch: wire.fetch, backoffMs: 10000, maxBackoffMs: 50000 });
  await bw.sync({ latencyMs: 5 });
  const waits = [];
  for (let i = 0; i < 5; i++) {
    await assert.rejects(bw.flush());
    waits.push(bw.stats().nextAttemptAt - Date.now());
  }
  const expected = [20000, 40000, 50000, 50000, 50000].map((ms) => ms * 0.999);
  waits.forEach((wait, i) => assert.ok(Math.abs(wait - expected[i]) < 1000, `wait ${i}: ${wait} ms, expected ${expected[i]}`));
  assert.equal(bw.stats().failures, 5);
  page.dispatchEvent(new Event('online'));
  await until(() => wire.delivered().length === 1, 1000);
  await until(() => bw.stats().failures === 0);
});

test('a rejected event is dropped, counted by its code and warned about once; its siblings are settled', async (t) => {
  const warnings = t.mock.method(console, 'warn', () => {});
  const reject = (beacon) => ({
    status: 202,
    body: { accepted: beacon.events.length - 2, duplicates: 0, rejected: [0, 1].map((index) => ({ index, code: 'future_timestamp', reason: 'at is ahead' })) },
  });
  const wire = service(reject);
  const bw = start({ fetch: wire.fetch });
  for (let i = 0; i < 3; i++) await bw.sync({ latencyMs: i });
  await bw.flush();
  assert.deepEqual(bw.stats(), { ...bw.stats(), queued: 0, sent: 1, dropped: { future_timestamp: 2 } });
  assert.equal(warnings.mock.callCount(), 1);
  assert.match(warnings.mock.calls[0].arguments[0], /future_timestamp/);
});

test('400 drops the beacon\'s events with a reason; 422 keeps them for later; 401 stops sending and keeps them', async (t) => {
  const warnings = t.mock.method(console, 'warn', () => {});
  const bad = start({ fetch: service({ status: 400, body: { field: 'flags', detail: 'bad flags' } }).fetch });
  await bad.sync({ latencyMs: 1 });
  await bad.flush();
  assert.deepEqual(bad.stats().dropped, { invalid_beacon: 1 });
  assert.match(warnings.mock.calls[0].arguments[0], /field flags/);

  const capped = service({ status: 422, body: { field: 'release' } });
  const later = start({ fetch: capped.fetch });
  await later.sync({ latencyMs: 1 });
  await assert.rejects(later.flush(), /422/);
  assert.equal(later.stats().queued, 1);
  await later.flush();
  assert.equal(capped.delivered().length, 1);

  const wire = service(401);
  const refused = start({ fetch: wire.fetch });
  await refused.sync({ latencyMs: 1 });
  await assert.rejects(refused.flush(), /401/);
  await assert.rejects(refused.flush(), /401/);
  assert.equal(wire.requests.length, 1, 'no send after the key was refused');
  assert.equal(refused.stats().queued, 1);
  assert.equal(refused.stats().refused, true);
  assert.equal(warnings.mock.calls.filter((c) => /401/.test(c.arguments[0])).length, 1);
});

test('flush rejects while offline, and the events stay stored', async () => {
  const wire = service();
  const bw = start({ fetch: wire.fetch });
  await bw.sync({ latencyMs: 1 });
  globalThis.navigator = { onLine: false };
  await assert.rejects(bw.flush(), /offline/);
  assert.equal(wire.requests.length, 0);
  assert.equal(bw.stats().queued, 1);
  globalThis.navigator = { onLine: true };
  await bw.flush();
  assert.equal(wire.delivered().length, 1);
});

test('flush waits for record calls still being written', async () => {
  const wire = service();
  const bw = start({ fetch: wire.fetch });
  const recorded = [bw.sync({ latencyMs: 1 }), bw.outbox({ depth: 0 })];
  await bw.flush();
  assert.equal(wire.delivered().length, 2);
  assert.equal(bw.stats().nextAttemptAt, null, 'the batch timer of those records is cleared with nothing left');
  await Promise.all(recorded);
});

test('onHealth reports queued, sent and dropped counts; the sdk field stays under 256 bytes', async () => {
  const reports = [];
  const codes = Array.from({ length: 30 }, (_, i) => 'some_long_rejection_code_' + i);
  const wire = service((beacon) => ({
    status: 202,
    body: { accepted: 0, duplicates: 0, rejected: beacon.events.map((_, index) => ({ index, code: codes[index], reason: 'r' })) },
  }));
  const bw = start({ fetch: wire.fetch, onHealth: (stats) => reports.push(stats) });
  const warn = console.warn;
  console.warn = () => {};
  try {
    for (let i = 0; i < 30; i++) await bw.sync({ latencyMs: i });
    await bw.flush();
  } finally {
    console.warn = warn;
  }
  assert.equal(Object.keys(reports.at(-1).dropped).length, 30);
  assert.equal(reports.at(-1).queued, 0);
  await bw.sync({ latencyMs: 1 });
  await bw.flush();
  const sdk = JSON.stringify(wire.requests[1].beacon.sdk);
  assert.ok(Buffer.byteLength(sdk) < 256, sdk);
  assert.equal(reports.at(-1).sent, 1);
});

test('the backoff is full jitter: a random share of the exponential bound', async (t) => {
  const bw = start({ fetch: service(new TypeError('fetch failed'), new TypeError('fetch failed')).fetch, backoffMs: 10000 });
  await bw.sync({ latencyMs: 5 });
  t.mock.method(Math, 'random', () => 0.25);
  await assert.rejects(bw.flush());
  const quarter = bw.stats().nextAttemptAt - Date.now();
  t.mock.method(Math, 'random', () => 0);
  await assert.rejects(bw.flush());
  const none = bw.stats().nextAttemptAt - Date.now();
  assert.ok(Math.abs(quarter - 5000) < 1000, `${quarter} ms`);
  assert.ok(none <= 0, `${none} ms: the next send may come at once`);
});
