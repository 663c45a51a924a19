import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { client, lockManager, page, service, sleep, until } from './fakes.js';

const open = [];
const start = (options) => {
  const bw = client(options);
  open.push(bw);
  return bw;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((bw) => bw.close()));
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
