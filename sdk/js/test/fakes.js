// Stand-ins for what Node lacks: the browser's page events, navigator, and a service whose answers a test scripts.
// The SDK's logic runs as shipped (the built ES module) over fake-indexeddb.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { init } from '../dist/bellwether.mjs';

export const page = new EventTarget();
globalThis.addEventListener = page.addEventListener.bind(page);
globalThis.removeEventListener = page.removeEventListener.bind(page);
globalThis.document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
globalThis.navigator = { onLine: true };
globalThis.IDBKeyRange = IDBKeyRange;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition()` holds, checking often; fails after a bound rather than hanging the test. */
export async function until(condition, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within ' + timeoutMs + ' ms');
    await sleep(5);
  }
}

/**
 * A beacon endpoint: answers each request with the next scripted answer (a status, or a function of the parsed
 * beacon), then with a 202 that accepts every event, as the service does; records what it received.
 */
export function service(...script) {
  const requests = [];
  const seen = new Set();
  const fetch = async (url, init) => {
    const beacon = JSON.parse(init.body);
    requests.push({ url, init, beacon, bytes: Buffer.byteLength(init.body), at: Date.now() });
    let answer = script.length ? script.shift() : 202;
    if (typeof answer === 'function') answer = answer(beacon, init);
    if (answer instanceof Error) throw answer;
    if (typeof answer === 'number') answer = { status: answer };
    requests[requests.length - 1].status = answer.status;
    if (answer.status === 202 && !answer.body) {
      let accepted = 0;
      let duplicates = 0;
      for (const event of beacon.events) {
        if (seen.has(event.id)) duplicates++;
        else accepted++;
        seen.add(event.id);
      }
      answer.body = { accepted, duplicates, rejected: [] };
    }
    return new Response(answer.body ? JSON.stringify(answer.body) : null, { status: answer.status, headers: answer.headers });
  };
  return {
    fetch,
    requests,
    /** The events of the beacons answered 202. */
    delivered: () => requests.filter((r) => r.status === 202).flatMap((r) => r.beacon.events),
  };
}

/** Clients a test started, closed after it by closeStarted() (in afterEach). */
const started = [];

/** A client() that closeStarted() closes after the test. */
export function start(options) {
  const bw = client(options);
  started.push(bw);
  return bw;
}

export async function closeStarted() {
  await Promise.all(started.splice(0).map((bw) => bw.close()));
}

/** A client over its own fake IndexedDB (or the one given, to play a reload), with the test's options. */
export function client(options = {}) {
  const indexedDB = options.indexedDB || new IDBFactory();
  const bw = init({
    endpoint: 'https://bellwether.test/',
    key: 'ik-test',
    app: 'field-notes',
    release: '2026.11.3',
    flags: { 'new-sync-engine': true },
    intervalMs: 60000,
    ...options,
    indexedDB,
  });
  return Object.assign(bw, { indexedDB });
}

/**
 * Web Locks as the browser has them (navigator.locks, shared by the pages and workers of an origin), which Node
 * lacks: exclusive locks granted in request order, `ifAvailable`, and `signal` aborting a request not yet granted.
 */
export function lockManager() {
  const queues = new Map();
  return {
    request(name, options, callback) {
      if (typeof options === 'function') [options, callback] = [{}, options];
      if (!queues.has(name)) queues.set(name, []);
      const queue = queues.get(name);
      return new Promise((resolve, reject) => {
        if (options.signal?.aborted) return reject(options.signal.reason);
        if (options.ifAvailable && queue.length) return void Promise.resolve(null).then(callback).then(resolve, reject);
        const waiter = {
          grant: () => Promise.resolve({ name, mode: 'exclusive' }).then(callback).then(resolve, reject).finally(() => {
            queue.shift();
            queue[0]?.grant();
          }),
        };
        queue.push(waiter);
        options.signal?.addEventListener('abort', () => {
          const index = queue.indexOf(waiter);
          if (index < 1) return; // granted already: aborting has no effect
          queue.splice(index, 1);
          reject(options.signal.reason);
        });
        if (queue.length === 1) waiter.grant();
      });
    },
  };
}
