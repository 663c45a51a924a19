import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';
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
