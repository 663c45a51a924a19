// A replay callback for workbox-background-sync's Queue (the outbox most PWAs already use) that reports each replay's
// outcome and attempts, and the queue's depth, to Bellwether. It replays as Workbox's own replayRequests does.
import { text } from './validate.js';

const newId = () => 'wb-' + Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * What an answer means for a queued request: kept and tried again (a network failure, 408, 429, 5xx), or settled:
 * succeeded (2xx, or an opaque answer whose status reads 0, which Workbox takes as delivered), conflicted (409), or
 * dead-lettered (another 4xx: sending the same request again cannot help).
 */
export function outcomeOf(status) {
  if (status === undefined || status === 408 || status === 429 || status >= 500) return 'retried';
  if (status === 409) return 'conflicted';
  return status >= 400 ? 'dead_lettered' : 'succeeded';
}

export function workboxSync(bw, options = {}) {
  if (typeof bw?.replay !== 'function' || typeof bw.outbox !== 'function') {
    throw new TypeError('Bellwether.workboxSync: the first argument must be a client from Bellwether.init');
  }
  const { mutationOf, onDropped } = options;
  const maxAttempts = options.maxAttempts ?? Infinity;
  if (maxAttempts !== Infinity && (!Number.isInteger(maxAttempts) || maxAttempts < 1)) {
    throw new TypeError(`Bellwether.workboxSync: maxAttempts must be a positive integer, got ${maxAttempts}`);
  }
  for (const [name, value] of [['mutationOf', mutationOf], ['onDropped', onDropped]]) {
    if (value !== undefined && typeof value !== 'function') throw new TypeError(`Bellwether.workboxSync: ${name} must be a function`);
  }
  const send = options.fetch || ((request) => globalThis.fetch(request));
  // Telemetry never stops the replay of the app's requests: a failure to record is warned about and passed over.
  const quietly = (what, call) => {
    try {
      return Promise.resolve(call()).catch((e) => console.warn(`Bellwether.workboxSync: ${what}: ${e}`));
    } catch (e) {
      console.warn(`Bellwether.workboxSync: ${what}: ${e}`);
    }
  };

  /** Reports the queue's depth and its oldest request's age, as an outbox event. */
  const reportDepth = async (queue) => {
    const entries = await queue.getAll();
    const oldest = Math.min(...entries.map((e) => e.timestamp ?? Date.now()));
    await quietly('outbox', () => bw.outbox(entries.length ? { depth: entries.length, oldestAgeMs: Math.max(0, Date.now() - oldest) } : { depth: 0 }));
  };

  return async ({ queue }) => {
    try {
      let entry;
      while ((entry = await queue.shiftRequest())) {
        const own = entry.metadata?.bellwether;
        const mark = { id: own?.id || newId(), attempts: (own?.attempts || 0) + 1 };
        const metadata = { ...entry.metadata, bellwether: mark };
        const started = Date.now();
        let response;
        let error;
        try {
          response = await send(entry.request.clone());
        } catch (e) {
          error = e;
        }
        let outcome = outcomeOf(response?.status);
        if (outcome === 'retried' && mark.attempts >= maxAttempts) outcome = 'dead_lettered';
        // The request goes back first, so that recording can never lose it.
        if (outcome === 'retried') await queue.unshiftRequest({ ...entry, metadata });
        let mutation;
        try {
          if (mutationOf) mutation = text(mutationOf(entry.request), 'the name mutationOf gave');
        } catch (e) {
          // Reported without a name rather than not at all.
          console.warn(`Bellwether.workboxSync: mutationOf: ${e.message || e}`);
        }
        await quietly('replay', () => bw.replay({ mutationId: mark.id, mutation, outcome, attempts: mark.attempts, latencyMs: Date.now() - started }));
        if (outcome === 'conflicted' || outcome === 'dead_lettered') {
          if (onDropped) await quietly('onDropped', () => onDropped({ ...entry, metadata }, response || null, outcome));
        }
        if (outcome === 'retried') {
          // As Workbox's replayRequests: stop here and fail the sync, so that the browser tries it again later.
          throw error || new Error(`Bellwether.workboxSync: the service answered ${response.status}; the request stays queued`);
        }
      }
    } finally {
      await quietly('queue depth', () => reportDepth(queue));
    }
  };
}
