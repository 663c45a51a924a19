// Bellwether beacon SDK: each event is stored in IndexedDB before its record call resolves, and leaves it only
// once the service has answered 202 for it. Delivery is at least once; the service's dedupe makes it exactly once.
import { beacons, sdkField } from './batch.js';
import { openStore } from './store.js';
import { checkEvent, flagsKey, text, utf8Length } from './validate.js';
import { VERSION } from './version.js';

export { VERSION as version };
export { unleashFlags } from './unleash.js';

const DEFAULTS = {
  intervalMs: 10000,
  maxEvents: 10000,
  maxBytes: 5 * 1024 * 1024,
  maxMutations: 1000,
  backoffMs: 1000,
  maxBackoffMs: 5 * 60 * 1000,
  timeoutMs: 10000,
  // Under the service's 64 KiB per beacon, which is also the browser's budget for keepalive requests and beacons.
  maxBeaconBytes: 65000,
};
const KEEPALIVE_BUDGET = 64 * 1024;
// A Retry-After beyond this is taken as a misconfiguration rather than kept for days.
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;
// The event's id, as added on the wire ({"id":"e<key>",), is bounded by the digits of the key.
const ID_BYTES = 24;
// Records between two trims of a context (which count what other contexts added and enforce the bounds): other
// contexts' records are unknown here until then, so together they overshoot a bound by less than this per context.
const TRIM_EVERY = 100;

const offline = () => globalThis.navigator?.onLine === false;

/** Answers the Retry-After header in milliseconds (seconds or an HTTP date), or undefined. */
function retryAfter(response) {
  const header = response.headers?.get('Retry-After');
  if (!header) return undefined;
  const ms = /^\s*\d+\s*$/.test(header) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  return Number.isNaN(ms) ? undefined : Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

export function init(options) {
  if (!options || typeof options !== 'object') throw new TypeError('Bellwether.init takes an options object');
  const { endpoint, key, app, release, flags } = options;
  if (typeof endpoint !== 'string') throw new TypeError('Bellwether: endpoint must be the service URL, a string');
  if (typeof key !== 'string' || !key) throw new TypeError('Bellwether: key must be the app\'s ingest key, a non-empty string');
  text(app, 'app');
  text(release, 'release');
  if (typeof flags !== 'function') flagsKey(flags);
  const limits = { ...DEFAULTS };
  for (const name of Object.keys(DEFAULTS)) {
    const value = options[name];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) throw new TypeError(`Bellwether: ${name} must be a positive integer, got ${value}`);
    limits[name] = value;
  }
  const idb = options.indexedDB || globalThis.indexedDB;
  if (!idb) throw new TypeError('Bellwether: IndexedDB is not available here');
  const send = options.fetch || ((...args) => globalThis.fetch(...args));
  const onHealth = options.onHealth;
  if (onHealth !== undefined && typeof onHealth !== 'function') throw new TypeError('Bellwether: onHealth must be a function');
  const dbName = options.dbName || 'bellwether-' + app;
  // Web Locks (pages and workers of one origin share them): one context at a time sends the shared database's events.
  const locks = options.locks === undefined ? globalThis.navigator?.locks : options.locks;
  const url = endpoint.replace(/\/+$/, '') + '/v1/beacons';
  const beaconUrl = url + '?key=' + encodeURIComponent(key);

  let store;
  let client;
  let totals = { count: 0, bytes: 0, dropped: {} };
  // Record calls since this context last trimmed.
  let untrimmed = 0;
  let sent = 0;
  // The events as last read from or written to IndexedDB, for sendBeacon when the page hides (no time to read).
  let pending = new Map();
  const beaconed = new Set();
  const writes = new Set();
  const warned = new Set();
  let failures = 0;
  let retryAt = 0;
  let backoffAt = 0;
  let refused = null;
  let draining = null;
  let waiting = null;
  let timer = null;
  let timerAt = Infinity;
  let closed = false;

  const warnOnce = (code, message) => {
    if (warned.has(code)) return;
    warned.add(code);
    console.warn('Bellwether: ' + message);
  };

  const stats = () => ({
    queued: totals.count,
    queuedBytes: totals.bytes,
    sent,
    dropped: { ...totals.dropped },
    failures,
    nextAttemptAt: timer ? timerAt : null,
    refused: !!refused,
  });

  const health = () => {
    if (!onHealth) return;
    try {
      onHealth(stats());
    } catch (e) {
      warnOnce('onHealth', 'the onHealth callback threw: ' + e);
    }
  };

  /** A send no earlier than `delayMs` from now, nor than the service or the backoff allow. */
  const schedule = (delayMs) => {
    if (closed || refused) return;
    const allowed = Math.max(retryAt, backoffAt);
    const at = Math.max(Date.now() + delayMs, allowed);
    if (timer && timerAt <= at && timerAt >= allowed) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = null;
      timerAt = Infinity;
      drain();
    }, at - Date.now());
  };

  const ready = openStore(idb, dbName).then(async (opened) => {
    store = opened;
    client = await store.clientId();
    trimmed(await store.trim(limits));
    pending = new Map((await store.all()).map((r) => [r.k, r]));
    // What an earlier page or worker left is sent at once: a service worker may not live until the interval.
    if (pending.size) schedule(0);
    return store;
  });
  ready.catch(() => {});

  /** Takes the totals a trim counted in the database, and forgets the events it dropped. */
  const trimmed = (out) => {
    totals = out.totals;
    for (const k of out.evicted) pending.delete(k);
    if (out.evicted.length) health();
  };

  const settle = async (records, reasons) => {
    trimmed(await store.trim(limits, records, reasons));
    for (const { k } of records) {
      pending.delete(k);
      beaconed.delete(k);
    }
  };

  const failed = (error, waitMs) => {
    failures++;
    if (waitMs !== undefined) retryAt = Date.now() + waitMs;
    else backoffAt = Date.now() + Math.random() * Math.min(limits.maxBackoffMs, limits.backoffMs * 2 ** failures);
    schedule(0);
    return error;
  };

  /** Sends every stored event; answers null when all were settled, else the error (the events stay stored). */
  const sendAll = async () => {
    await ready;
    if (offline()) {
      schedule(limits.intervalMs);
      return new Error('Bellwether: offline');
    }
    untrimmed = 0;
    trimmed(await store.trim(limits));
    const records = await store.all();
    pending = new Map(records.map((r) => [r.k, r]));
    const queue = beacons(records, app, client, sdkField(VERSION, totals.dropped), limits.maxBeaconBytes);
    let deferred = null;
    while (queue.length) {
      const beacon = queue.shift();
      let response;
      try {
        response = await send(url, {
          method: 'POST',
          headers: { Authorization: 'Bearer ' + key, 'Content-Type': 'application/json' },
          body: beacon.body,
          keepalive: beacon.bytes < KEEPALIVE_BUDGET,
          signal: AbortSignal.timeout?.(limits.timeoutMs),
        });
      } catch (e) {
        return failed(new Error('Bellwether: the service could not be reached: ' + e));
      }
      const status = response.status;
      const answer = await response.json().catch(() => ({}));
      const all = (reason) => new Map(beacon.records.map((r) => [r.k, reason]));
      if (status === 202) {
        const reasons = new Map();
        for (const { index, code, reason } of Array.isArray(answer.rejected) ? answer.rejected : []) {
          const record = beacon.records[index];
          if (!record) continue;
          const label = String(code || 'rejected').slice(0, 32);
          reasons.set(record.k, label);
          warnOnce('rejected ' + label, `the service rejected a ${record.e.type} event (${label}): ${reason}`);
        }
        await settle(beacon.records, reasons);
        sent += beacon.records.length - reasons.size;
      } else if (status === 413 && beacon.records.length > 1) {
        queue.unshift(...beacons(beacon.records, app, client, sdkField(VERSION, totals.dropped), Math.floor(beacon.bytes / 2)));
      } else if (status === 400 || status === 413) {
        const reason = status === 400 ? 'invalid_beacon' : 'too_large';
        warnOnce(reason, `the service refused a beacon (${status}${answer.field ? ', field ' + answer.field : ''}): ${answer.detail || ''}; its events are dropped`);
        await settle(beacon.records, all(reason));
      } else if (status === 401 || status === 403) {
        refused = new Error(`Bellwether: the service refused the key or this origin (${status}); sending stopped, events kept`);
        warnOnce('refused', refused.message.slice(12));
        clearTimeout(timer);
        timer = null;
        return refused;
      } else if (status === 422) {
        // The app is at its release or cohort limit: nothing was stored, and the same beacon counts once when sent
        // after the limit is raised. Other cohorts' beacons may still go.
        warnOnce('422', `the service cannot take this ${answer.field || 'release or cohort'} yet (422): ${answer.detail || ''}; events kept`);
        deferred = new Error(`Bellwether: the service answered 422 for ${answer.field || 'a beacon'}`);
      } else {
        return failed(new Error(`Bellwether: the service answered ${status}`),
          status === 429 || status === 503 ? retryAfter(response) : undefined);
      }
    }
    if (deferred) return failed(deferred);
    failures = 0;
    backoffAt = 0;
    if (pending.size) {
      schedule(limits.intervalMs);
    } else {
      clearTimeout(timer);
      timer = null;
    }
    return null;
  };

  /**
   * Runs the send holding the database's lock, so that another tab or worker sending at the same time waits for this
   * send and then finds only what is left. A holder that does not let go within the bound (a frozen tab keeps its
   * locks) is not waited for longer: the send goes without the lock, and the service counts each event once.
   */
  const exclusive = async () => {
    if (!locks) return sendAll();
    let granted = false;
    const wait = new AbortController();
    waiting = wait;
    const bound = setTimeout(() => wait.abort(), limits.timeoutMs);
    try {
      return await locks.request('bellwether-send:' + dbName, { signal: wait.signal }, () => {
        granted = true;
        clearTimeout(bound);
        return closed ? null : sendAll();
      });
    } catch (e) {
      if (granted) throw e;
      return closed ? null : sendAll();
    } finally {
      clearTimeout(bound);
    }
  };

  /** One send at a time; a call during a send waits for it and then sends again. */
  const drain = () => {
    const previous = draining || Promise.resolve();
    const run = previous.then(() => (closed ? null : exclusive()))
      .catch((e) => failed(e))
      .then((error) => {
        if (draining === run) draining = null;
        health();
        return error;
      });
    draining = run;
    return run;
  };

  const record = (type) => async (input) => {
    if (closed) throw new Error('Bellwether: this client is closed');
    const { event, mutationId } = checkEvent(type, input, Date.now());
    const current = flagsKey(typeof flags === 'function' ? flags() : flags);
    const size = utf8Length(JSON.stringify(event)) + ID_BYTES;
    const write = ready.then((db) => {
      // Trims every so many records, and when what this context knows of would go over a bound.
      const bound = ++untrimmed >= TRIM_EVERY || totals.count >= limits.maxEvents || totals.bytes + size > limits.maxBytes;
      if (bound) untrimmed = 0;
      return db.add({ r: release, e: event, s: size }, mutationId, current, limits, bound);
    });
    writes.add(write);
    const forget = () => writes.delete(write);
    write.then(forget, forget);
    const added = await write;
    pending.set(added.record.k, added.record);
    if (added.totals) {
      trimmed(added);
    } else {
      totals.count++;
      totals.bytes += size;
    }
    const repeatFailure = type === 'replay'
      && (event.outcome === 'dead_lettered' || (event.attempts >= 2 && event.outcome !== 'succeeded'));
    schedule(repeatFailure ? 0 : limits.intervalMs);
    return 'e' + added.record.k;
  };

  /** The page is going away or out of sight: hand what is stored to sendBeacon, which outlives the page. */
  const hidden = () => {
    if (closed || refused || !client || offline() || Date.now() < retryAt) return;
    const navigator = globalThis.navigator;
    if (typeof navigator?.sendBeacon !== 'function') return void drain();
    const fresh = [...pending.values()].filter((r) => !beaconed.has(r.k));
    for (const beacon of beacons(fresh, app, client, sdkField(VERSION, totals.dropped), limits.maxBeaconBytes)) {
      // False: the browser's beacon budget is spent. The rest stays in IndexedDB for the next send.
      if (!navigator.sendBeacon(beaconUrl, beacon.body)) break;
      for (const r of beacon.records) beaconed.add(r.k);
    }
  };
  const visibility = () => globalThis.document?.visibilityState === 'hidden' && hidden();
  const online = () => {
    failures = 0;
    backoffAt = 0;
    if (pending.size) schedule(0);
  };
  const listen = (target, name, handler, add) => target?.[add ? 'addEventListener' : 'removeEventListener']?.(name, handler);
  const listeners = (add) => {
    listen(globalThis, 'online', online, add);
    listen(globalThis, 'pagehide', hidden, add);
    listen(globalThis.document, 'visibilitychange', visibility, add);
  };
  listeners(true);

  return {
    outbox: record('outbox'),
    replay: record('replay'),
    sync: record('sync'),
    conflict: record('conflict'),
    migration: record('migration'),
    stats,

    /** Resolves once every event recorded so far is settled with the service; rejects when that cannot be now. */
    async flush() {
      await Promise.allSettled([...writes]);
      await ready;
      if (offline()) throw new Error('Bellwether: offline; the events stay stored and are sent when back online');
      if (refused) throw refused;
      if (Date.now() < retryAt) {
        throw Object.assign(new Error('Bellwether: the service asked to wait before sending again'), { retryAt });
      }
      const error = await drain();
      if (error) throw error;
    },

    /** Stops timers and listeners, waits for pending writes and any send, and closes the database. */
    async close() {
      closed = true;
      listeners(false);
      waiting?.abort();
      clearTimeout(timer);
      timer = null;
      await Promise.allSettled([...writes, draining]);
      (await ready.catch(() => null))?.close();
    },
  };
}
