// IndexedDB: the events (one object store, keyed by an auto-increment that is also the event id), the client id
// and totals (meta), and each mutation's first-attempt flags (mutations). A record call's transaction only writes.
// The totals are counted, and the bounds enforced, by a trim: it reads the totals and the events added since the last
// trim (by any tab or worker), in one transaction, so that contexts sharing the database agree.

const EVENTS = 'events';
const META = 'meta';
const MUTATIONS = 'mutations';

// `last`: the newest event key counted in count and bytes.
const fresh = () => ({ count: 0, bytes: 0, last: 0, dropped: {} });

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

const on = (request, then) => { request.onsuccess = () => then(request.result); };

/**
 * Counts the events added since the last trim; removes the `settled` events present (counting those with a reason
 * in `reasons` as dropped), then the oldest events over a bound (as overflow) and the oldest mutations over theirs.
 * Answers with done({totals, evicted keys}).
 */
function trim(t, limits, done, settled = [], reasons) {
  const events = t.objectStore(EVENTS);
  const meta = t.objectStore(META);
  const mutations = t.objectStore(MUTATIONS);
  const evicted = [];
  const over = (totals) => totals.count > limits.maxEvents || totals.bytes > limits.maxBytes;
  const drop = (totals, k, s, reason) => {
    events.delete(k);
    totals.count--;
    totals.bytes -= s;
    if (reason) totals.dropped[reason] = (totals.dropped[reason] || 0) + 1;
  };
  on(mutations.count(), (excess) => {
    excess -= limits.maxMutations;
    if (excess > 0) {
      on(mutations.index('order').openCursor(), (cursor) => {
        cursor.delete();
        if (--excess) cursor.continue();
      });
    }
  });
  on(meta.get('totals'), (stored) => {
    // Totals written before they had `last` are counted again from the events; their drops are kept.
    const totals = stored?.last === undefined ? { ...fresh(), dropped: stored?.dropped || {} } : stored;
    done({ totals, evicted });
    on(events.getAll(IDBKeyRange.lowerBound(totals.last, true)), (added) => {
      for (const { k, s } of added) {
        totals.count++;
        totals.bytes += s;
        totals.last = k;
      }
      const evict = (present) => {
        for (const { k, s } of settled) if (present.has(k)) drop(totals, k, s, reasons.get(k));
        const finish = () => meta.put(totals, 'totals');
        if (!over(totals)) return finish();
        on(events.openCursor(), (cursor) => {
          if (!cursor) return finish();
          evicted.push(cursor.key);
          drop(totals, cursor.key, cursor.value.s, 'overflow');
          if (over(totals)) cursor.continue();
          else finish();
        });
      };
      // Another tab may have settled one, or the bound dropped it meanwhile: each event counts once.
      if (settled.length) on(events.getAllKeys(), (keys) => evict(new Set(keys)));
      else evict();
    });
  });
}

export async function openStore(indexedDB, name) {
  const request = indexedDB.open(name, 1);
  request.onupgradeneeded = () => {
    const db = request.result;
    db.createObjectStore(EVENTS, { keyPath: 'k', autoIncrement: true });
    db.createObjectStore(META);
    db.createObjectStore(MUTATIONS, { keyPath: 'id' }).createIndex('order', 'n');
  };
  const db = await promised(request);
  // Another tab or worker asking for a newer version: give way rather than block it.
  db.onversionchange = () => db.close();
  // The first-attempt flags of mutations this context knows, so that recording one of them reads nothing.
  const known = new Map();

  /** Runs body(transaction) and answers what it set with done(), once the transaction has committed. */
  const run = (mode, body, options) => new Promise((resolve, reject) => {
    const transaction = db.transaction([EVENTS, META, MUTATIONS], mode, options);
    let result;
    transaction.oncomplete = () => resolve(result);
    transaction.onabort = () => reject(transaction.error || new Error('Bellwether: an IndexedDB transaction was aborted'));
    body(transaction, (value) => { result = value; });
  });

  return {
    close: () => db.close(),

    clientId: () => run('readwrite', (t, done) => {
      const meta = t.objectStore(META);
      on(meta.get('client'), (id) => {
        if (!id) {
          const random = crypto.getRandomValues(new Uint8Array(12));
          id = 'c-' + Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('');
          meta.put(id, 'client');
        }
        done(id);
      });
    }),

    all: () => run('readonly', (t, done) => on(t.objectStore(EVENTS).getAll(), done)),

    /**
     * Stores the record, with the flags of the mutation's first event when it names one, else `flags`; with `bound`,
     * trims in the same transaction. Reads nothing unless the mutation is unknown here. Answers {record (its key k),
     * and when trimmed totals and evicted}.
     */
    add: (record, mutationId, flags, limits, bound) => {
      const cached = known.get(mutationId);
      let added;
      return run('readwrite', (t, done) => {
        const events = t.objectStore(EVENTS);
        const mutations = t.objectStore(MUTATIONS);
        record.f = cached || flags;
        added = events.add(record);
        if (mutationId !== undefined && !cached) {
          // A ConstraintError: another context or an earlier page knew the mutation first, and its flags hold.
          mutations.add({ id: mutationId, f: flags, n: Date.now() }).onerror = (e) => {
            if (e.target.error.name !== 'ConstraintError') return;
            e.preventDefault();
            on(mutations.get(mutationId), (first) => {
              record.f = first.f;
              events.put({ ...record, k: added.result });
            });
          };
        }
        if (bound) trim(t, limits, done);
      }, { durability: 'strict' }).then((out = {}) => {
        record.k = added.result;
        if (mutationId !== undefined) known.set(mutationId, record.f);
        if (known.size > limits.maxMutations) known.delete(known.keys().next().value);
        out.record = record;
        return out;
      });
    },

    /** Trims, removing the `settled` records first; answers {totals, evicted}. */
    trim: (limits, settled, reasons) => run('readwrite', (t, done) => trim(t, limits, done, settled, reasons)),
  };
}
