import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { closeStarted, start, lockManager, page, service, sleep, until } from './fakes.js';

afterEach(async () => {
  await closeStarted();
});

/** A service that answers after `ms`, so that two tabs' sends overlap. */
const slowly = (wire, ms) => async (url, init) => {
  await sleep(ms);
  return wire.fetch(url, init);
};
const sentIds = (wire) => wire.requests.flatMap((r) => r.beacon.events.map((e) => e.id));

/** Two tabs over one database record events and flush them at the same time; answers every event id sent. */
async function twoTabsFlushing(locks) {
  const wire = service();
  const first = start({ fetch: slowly(wire, 40), locks });
  const second = start({ fetch: slowly(wire, 40), locks, indexedDB: first.indexedDB });
  for (let i = 0; i < 20; i++) await (i % 2 ? first : second).sync({ latencyMs: i });
  await Promise.all([first.flush(), second.flush(), first.flush(), second.flush()]);
  assert.equal(first.stats().queued, 0);
  assert.equal(new Set(wire.delivered().map((e) => e.id)).size, 20, 'every event delivered');
  return sentIds(wire);
}

test('two tabs sharing the database and Web Locks never send the same event; without locks they do', async () => {
  const sent = await twoTabsFlushing(lockManager());
  assert.equal(sent.length, 20, `${sent.length} events sent for 20`);
  const uncoordinated = await twoTabsFlushing(null);
  assert.ok(uncoordinated.length > 20, 'the same flushes without locks send events twice (the service dedupes them)');
});

test('a repeat failure recorded while another tab holds the lock is sent as soon as that send ends', async () => {
  const locks = lockManager();
  const wire = service();
  const first = start({ fetch: slowly(wire, 300), locks });
  const second = start({ fetch: slowly(wire, 300), locks, indexedDB: first.indexedDB });
  for (let i = 0; i < 10; i++) await first.sync({ latencyMs: i });
  const sending = first.flush();
  await sleep(50);
  const recordedAt = Date.now();
  const id = await second.replay({ mutationId: 'm-9', outcome: 'retried', attempts: 2 });
  await sending;
  await until(() => wire.delivered().some((e) => e.id === id), 2000);
  const waited = Date.now() - recordedAt;
  // The first send's answer (at most 300 ms away) and the second's own: well under the 60 s interval of these tabs.
  assert.ok(waited < 1000, `sent ${waited} ms after it was recorded`);
  assert.equal(new Set(sentIds(wire)).size, sentIds(wire).length, 'no event sent twice');
  assert.equal(sentIds(wire).length, 11);
});

test('a lock holder that never lets go (a frozen tab) delays a send by the bound only; then it goes without the lock', async () => {
  const locks = lockManager();
  locks.request('bellwether-send:bellwether-field-notes', () => new Promise(() => {}));
  const wire = service();
  const bw = start({ fetch: wire.fetch, locks, timeoutMs: 300 });
  await bw.sync({ latencyMs: 1 });
  const before = Date.now();
  await bw.flush();
  assert.ok(Date.now() - before >= 290, `${Date.now() - before} ms`);
  assert.equal(wire.delivered().length, 1);
  const closing = start({ fetch: wire.fetch, locks, timeoutMs: 60000 });
  await closing.sync({ latencyMs: 1 });
  const flushed = closing.flush().catch((e) => e);
  await sleep(20);
  const closedAt = Date.now();
  await closing.close();
  await flushed;
  assert.ok(Date.now() - closedAt < 1000, 'close does not wait for a lock');
});

test('a tab that hides beacons what it knows of, without the lock: its own events and those it read, not later ones of another tab', async () => {
  const locks = lockManager();
  let attempts = 0;
  // The service is unreachable, so that nothing is settled and each tab keeps what it knows of; backoff far away.
  const unreachable = async () => {
    attempts++;
    throw new TypeError('Failed to fetch');
  };
  const first = start({ fetch: unreachable, locks, backoffMs: 60000 });
  const early = await first.sync({ latencyMs: 1 });
  const second = start({ fetch: unreachable, locks, backoffMs: 60000, indexedDB: first.indexedDB });
  const own = await second.sync({ latencyMs: 2 });
  await until(() => attempts === 1, 2000); // the second tab's send at its start: it read the early event
  const later = await first.sync({ latencyMs: 3 });
  const beacons = [];
  globalThis.navigator = { onLine: true, sendBeacon: (url, body) => beacons.push(JSON.parse(body)) > 0 };
  try {
    page.dispatchEvent(new Event('pagehide'));
  } finally {
    globalThis.navigator = { onLine: true };
  }
  const beaconed = beacons.flatMap((b) => b.events.map((e) => e.id));
  // Both tabs listen to the one fake page here, so each hides: each beacons what it knows of.
  assert.equal(beaconed.filter((id) => id === later).length, 1, 'the later event only by the tab that recorded it');
  assert.equal(beaconed.filter((id) => id === own).length, 1);
  assert.equal(beaconed.filter((id) => id === early).length, 2, 'the early one by both: what stays duplicated');
});

/** Counts the records of one object store of the SDK's database, as another context would see it. */
async function storedCount(indexedDB, store) {
  const db = await new Promise((resolve) => {
    const request = indexedDB.open('bellwether-field-notes', 1);
    request.onsuccess = () => resolve(request.result);
  });
  const count = await new Promise((resolve) => {
    const request = db.transaction(store).objectStore(store).count();
    request.onsuccess = () => resolve(request.result);
  });
  db.close();
  return count;
}

test('two tabs recording into one database overshoot a bound by fewer than 100 events each before a trim; a send trims, counting the overflow', async () => {
  const wire = service();
  const first = start({ fetch: wire.fetch, maxEvents: 50, maxMutations: 10 });
  const second = start({ fetch: wire.fetch, maxEvents: 50, maxMutations: 10, indexedDB: first.indexedDB });
  await first.sync({ latencyMs: 0 });
  await second.sync({ latencyMs: 0 });
  let most = 0;
  // Runs of 40 per tab: each tab counts only its own records until its next trim.
  for (let i = 1; i < 200; i++) {
    await (Math.floor(i / 40) % 2 ? second : first).replay({ mutationId: 'm-' + i, outcome: 'succeeded', attempts: 1 });
    most = Math.max(most, await storedCount(first.indexedDB, 'events'));
  }
  assert.ok(most > 50, `the bound is enforced late across tabs (${most} stored at most)`);
  assert.ok(most < 50 + 2 * 100, `${most} stored at most`);
  await first.flush();
  assert.ok(await storedCount(first.indexedDB, 'events') <= 50);
  assert.ok(await storedCount(first.indexedDB, 'mutations') <= 10, 'the oldest mutations are forgotten');
  const overflow = first.stats().dropped.overflow;
  assert.equal(wire.delivered().length + overflow, 201, 'every event delivered or counted as dropped');
  assert.deepEqual(wire.requests.at(-1).beacon.sdk.dropped, { overflow });
});

test('a mutation first recorded by another tab gets that tab\'s flags, whichever tab records it next or at the same time', async () => {
  const wire = service();
  const first = start({ fetch: wire.fetch, flags: { 'new-sync-engine': false } });
  const second = start({ fetch: wire.fetch, flags: { 'new-sync-engine': true }, indexedDB: first.indexedDB });
  await first.replay({ mutationId: 'm-1', outcome: 'retried', attempts: 1, latencyMs: 11 });
  await second.replay({ mutationId: 'm-1', outcome: 'retried', attempts: 2, latencyMs: 12 });
  await second.conflict({ mutationId: 'm-1', entity: 'note', resolution: 'server_wins' });
  await second.replay({ mutationId: 'm-1', outcome: 'succeeded', attempts: 3, latencyMs: 13 });
  await Promise.all([first.replay({ mutationId: 'm-2', outcome: 'retried', attempts: 1, latencyMs: 21 }),
    second.replay({ mutationId: 'm-2', outcome: 'retried', attempts: 1, latencyMs: 22 }), second.sync({ latencyMs: 1 })]);
  await second.flush();
  const flagOf = new Map(wire.requests.filter((r) => r.status === 202)
    .flatMap((r) => r.beacon.events.map((e) => [e.type === 'conflict' ? 'conflict' : e.latencyMs, r.beacon.flags['new-sync-engine']])));
  assert.equal(flagOf.size, 7, 'every event delivered');
  assert.deepEqual([flagOf.get(11), flagOf.get(12), flagOf.get('conflict'), flagOf.get(13)], [false, false, false, false],
    'the first tab\'s flags, read by the second tab at its first record of m-1, then remembered');
  assert.equal(flagOf.get(21), flagOf.get(22), 'recorded at once by both tabs, one of them first');
  assert.equal(flagOf.get(1), true, 'an event without a mutation has the flags of its tab');
});
