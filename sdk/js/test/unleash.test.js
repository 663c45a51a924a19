import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';
import { unleashFlags } from '../dist/bellwether.mjs';
import { client, service } from './fakes.js';

/**
 * The public surface of unleash-proxy-client's UnleashClient that the adapter uses, answering as its source does: an
 * unknown toggle is off with the variant "disabled"; getVariant adds feature_enabled; isReady() after `ready`.
 */
class UnleashClient extends EventEmitter {
  toggles = [];
  readyEventEmitted = false;
  evaluations = 0;
  load(toggles, event) {
    this.toggles = toggles;
    if (event === 'ready') this.readyEventEmitted = true;
    this.emit(event);
  }
  isReady() { return this.readyEventEmitted; }
  isEnabled(name) {
    this.evaluations++;
    return this.toggles.find((t) => t.name === name)?.enabled || false;
  }
  getVariant(name) {
    this.evaluations++;
    const toggle = this.toggles.find((t) => t.name === name);
    return { ...(toggle ? toggle.variant : { name: 'disabled', enabled: false }), feature_enabled: toggle?.enabled || false };
  }
}
const toggle = (name, variant) => ({ name, enabled: true, impressionData: false, variant: variant ? { name: variant, enabled: true } : { name: 'disabled', enabled: false } });

test('Unleash flags: nothing until the client has its toggles, then booleans and variant names as Unleash evaluated them', async () => {
  const unleash = new UnleashClient();
  const flags = unleashFlags(unleash, ['new-sync-engine', 'editor', 'dark-mode']);
  assert.deepEqual(flags(), {}, 'not evaluated yet: no flag, rather than a false one');
  unleash.load([toggle('new-sync-engine'), toggle('editor', 'variant-b')], 'initialized');
  assert.deepEqual(flags(), { 'new-sync-engine': true, editor: 'variant-b', 'dark-mode': false }, 'from the cached toggles');
  unleash.load([toggle('editor', 'a,b'), toggle('dark-mode', 'false')], 'ready');
  assert.deepEqual(flags(), { 'new-sync-engine': false, editor: true, 'dark-mode': true },
    'a variant the contract cannot carry, or one that would read as off, is reported as on');
  const evaluations = unleash.evaluations;
  flags();
  assert.equal(unleash.evaluations - evaluations, 3, 'one evaluation per flag and call (Unleash counts each in its metrics)');

  const late = new UnleashClient();
  late.load([toggle('new-sync-engine')], 'ready');
  assert.deepEqual(unleashFlags(late, ['new-sync-engine'])(), { 'new-sync-engine': true }, 'created after ready: isReady()');
});

test('Unleash flags: a client without feature_enabled (older versions) is asked isEnabled; bad arguments are named', () => {
  const toggles = { on: true };
  const older = { isEnabled: (name) => !!toggles[name], getVariant: () => ({ name: 'disabled', enabled: false }), isReady: () => true };
  assert.deepEqual(unleashFlags(older, ['on', 'off'])(), { on: true, off: false });
  assert.throws(() => unleashFlags({}, ['on']), /client/);
  assert.throws(() => unleashFlags(older, []), /names/);
  assert.throws(() => unleashFlags(older, ['a,b']), /unleashFlags name/);
});

test('Unleash flags in beacons: events recorded before the toggles load carry no flag, later ones the evaluated cohort', async () => {
  const unleash = new UnleashClient();
  const wire = service();
  const bw = client({ fetch: wire.fetch, flags: unleashFlags(unleash, ['new-sync-engine']) });
  await bw.sync({ latencyMs: 1 });
  unleash.load([toggle('new-sync-engine', 'v2')], 'ready');
  await bw.sync({ latencyMs: 2 });
  await bw.flush();
  assert.deepEqual(wire.requests.map((r) => [r.beacon.flags, r.beacon.events.map((e) => e.latencyMs)]),
    [[{}, [1]], [{ 'new-sync-engine': 'v2' }, [2]]]);
  await bw.close();
});

test('the script-tag build has Bellwether.unleashFlags', () => {
  const context = vm.createContext({});
  vm.runInContext(readFileSync(new URL('../dist/bellwether.js', import.meta.url), 'utf8'), context);
  assert.equal(typeof context.Bellwether.unleashFlags, 'function');
});
