import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { client, service } from './fakes.js';

const rejectsNaming = (promise, field) => assert.rejects(promise, (e) => e instanceof TypeError && e.message.includes(field), field);

test('a record call with input the contract refuses rejects with a TypeError naming the field, and stores nothing', async () => {
  const wire = service();
  const bw = client({ fetch: wire.fetch });
  await rejectsNaming(bw.replay({ outcome: 'failed' }), 'replay.outcome');
  await rejectsNaming(bw.replay({ outcome: 'retried', attempts: 0 }), 'replay.attempts');
  await rejectsNaming(bw.replay({ outcome: 'retried', mutation: 'x'.repeat(129) }), 'replay.mutation');
  await rejectsNaming(bw.replay({ outcome: 'retried', mutation: 'a\nb' }), 'replay.mutation');
  await rejectsNaming(bw.sync({}), 'sync.latencyMs');
  await rejectsNaming(bw.sync({ latencyMs: -1 }), 'sync.latencyMs');
  await rejectsNaming(bw.sync({ latencyMs: Number.NaN }), 'sync.latencyMs');
  await rejectsNaming(bw.sync({ latency: 5 }), 'sync.latency');
  await rejectsNaming(bw.outbox({ depth: 1.5 }), 'outbox.depth');
  await rejectsNaming(bw.conflict({ resolution: 'merged' }), 'conflict.resolution');
  await rejectsNaming(bw.migration({ fromVersion: 3, outcome: 'succeeded' }), 'migration.toVersion');
  await rejectsNaming(bw.outbox(null), 'outbox');
  await bw.flush();
  assert.equal(wire.requests.length, 0);
  assert.equal(bw.stats().queued, 0);
  await bw.close();
});

test('flags are checked against the service\'s bounds, from an object at init or from a function at record time', async () => {
  assert.throws(() => client({ flags: { 'a,b': true } }), /flags name/);
  assert.throws(() => client({ flags: { editor: 3 } }), /flags\.editor/);
  assert.throws(() => client({ flags: Object.fromEntries(Array.from({ length: 65 }, (_, i) => ['f' + i, true])) }), /at most 64/);
  const bw = client({ flags: () => ({ editor: '' }) });
  await rejectsNaming(bw.sync({ latencyMs: 1 }), 'flags.editor');
  await bw.close();
});

test('init names the option that is wrong', () => {
  assert.throws(() => client({ key: '' }), /key/);
  assert.throws(() => client({ app: '' }), /app/);
  assert.throws(() => client({ release: 7 }), /release/);
  assert.throws(() => client({ intervalMs: 0 }), /intervalMs/);
  assert.throws(() => client({ onHealth: 'yes' }), /onHealth/);
});

test('the script-tag build defines the global Bellwether with init, at the package\'s version', () => {
  const context = vm.createContext({});
  vm.runInContext(readFileSync(new URL('../dist/bellwether.js', import.meta.url), 'utf8'), context);
  assert.equal(typeof context.Bellwether.init, 'function');
  assert.equal(context.Bellwether.version, JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
});

test('an event time given by the app is sent as ISO-8601 in UTC; one the service would refuse rejects the call naming it', async () => {
  const wire = service();
  const bw = client({ fetch: wire.fetch });
  const hourAgo = Date.now() - 3600000;
  await bw.replay({ mutationId: 'm-1', outcome: 'retried', attempts: 1, at: new Date(hourAgo) });
  await bw.sync({ latencyMs: 1, at: hourAgo + 1 });
  // An hour ago in UTC, written as the time of a zone two hours ahead of UTC: the offset is applied.
  const local = new Date(hourAgo).toISOString().slice(0, 13) + ':00:00.500+02:00';
  await bw.conflict({ resolution: 'server_wins', at: local });
  await bw.outbox({ depth: 0, at: null });
  await rejectsNaming(bw.sync({ latencyMs: 1, at: Date.now() + 6 * 60000 }), 'sync.at');
  await rejectsNaming(bw.sync({ latencyMs: 1, at: Date.now() - 15 * 86400000 }), 'sync.at');
  await rejectsNaming(bw.sync({ latencyMs: 1, at: '2026-11-25T10:00:00' }), 'sync.at');
  await rejectsNaming(bw.sync({ latencyMs: 1, at: '2026-11-25' }), 'sync.at');
  await rejectsNaming(bw.sync({ latencyMs: 1, at: new Date(Number.NaN) }), 'sync.at');
  await rejectsNaming(bw.sync({ latencyMs: 1, at: Number.POSITIVE_INFINITY }), 'sync.at');
  await rejectsNaming(bw.sync({ latencyMs: 1, at: true }), 'sync.at');
  await bw.flush();
  const [replay, sync, conflict, outbox] = wire.delivered();
  assert.equal(replay.at, new Date(hourAgo).toISOString());
  assert.equal(sync.at, new Date(hourAgo + 1).toISOString());
  const utc = Date.parse(new Date(hourAgo).toISOString().slice(0, 13) + ':00:00.500Z') - 2 * 3600000;
  assert.equal(conflict.at, new Date(utc).toISOString());
  assert.ok(Math.abs(Date.parse(outbox.at) - Date.now()) < 5000, 'without at, the time of the call');
  assert.equal(wire.delivered().length, 4, 'nothing refused was stored');
  await bw.close();
});

test('the script-tag build stays within its budget of 6 KiB minified and gzipped (the Workbox adapter is apart)', () => {
  const gzipped = gzipSync(readFileSync(new URL('../dist/bellwether.js', import.meta.url)), { level: 9 }).length;
  assert.ok(gzipped <= 6 * 1024, `${gzipped} bytes gzipped`);
});
