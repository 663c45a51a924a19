// IndexedDB: the events (one object store, keyed by an auto-increment that is also the event id), the client id
// and running totals (meta), and each mutation's first-attempt flags (mutations). Every change of events and
// totals happens in one transaction, so that tabs and service workers sharing the database keep them consistent.

const EVENTS = 'events';
const META = 'meta';
const MUTATIONS = 'mutations';

const fresh = () => ({ count: 0, bytes: 0, mutations: 0, order: 0, dropped: {} });

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
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

  /** Runs body(transaction) and answers what it set with done(), once the transaction has committed. */
  const run = (stores, mode, body, options) => new Promise((resolve, reject) => {
    const transaction = db.transaction(stores, mode, options);
    let result;
    transaction.oncomplete = () => resolve(result);
    transaction.onabort = () => reject(transaction.error || new Error('Bellwether: an IndexedDB transaction was aborted'));
    body(transaction, (value) => { result = value; });
  });

  const on = (request, then) => { request.onsuccess = () => then(request.result); };

  return {
    close: () => db.close(),

    clientId: () => run([META], 'readwrite', (t, done) => {
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

    totals: () => run([META], 'readonly', (t, done) => on(t.objectStore(META).get('totals'), (v) => done(v || fresh()))),

    all: () => run([EVENTS], 'readonly', (t, done) => on(t.objectStore(EVENTS).getAll(), done)),

    /**
     * Stores the record (its flags those of the mutation's first event when it names a known mutation, else
     * `flags`), then drops the oldest events while over a bound. Answers {record, evicted keys, totals}.
     */
    add: (record, mutationId, flags, limits) => run([EVENTS, META, MUTATIONS], 'readwrite', (t, done) => {
      const events = t.objectStore(EVENTS);
      const meta = t.objectStore(META);
      const mutations = t.objectStore(MUTATIONS);
      const evicted = [];
      on(meta.get('totals'), (stored) => {
        const totals = stored || fresh();
        const write = (chosen) => {
          record.f = chosen;
          on(events.add(record), (key) => {
            record.k = key;
            totals.count++;
            totals.bytes += record.s;
            if (totals.count <= limits.maxEvents && totals.bytes <= limits.maxBytes) return finish();
            on(events.openCursor(), (cursor) => {
              if (!cursor) return finish();
              totals.count--;
              totals.bytes -= cursor.value.s;
              totals.dropped.overflow = (totals.dropped.overflow || 0) + 1;
              evicted.push(cursor.key);
              cursor.delete();
              if (totals.count > limits.maxEvents || totals.bytes > limits.maxBytes) cursor.continue();
              else finish();
            });
          });
        };
        const finish = () => {
          meta.put(totals, 'totals');
          done({ record, evicted, totals });
        };
        if (mutationId === undefined) return write(flags);
        on(mutations.get(mutationId), (known) => {
          if (known) return write(known.f);
          mutations.put({ id: mutationId, f: flags, n: totals.order++ });
          if (++totals.mutations > limits.maxMutations) {
            totals.mutations--;
            on(mutations.index('order').openCursor(), (cursor) => cursor.delete());
          }
          write(flags);
        });
      });
    }, { durability: 'strict' }),

    /** Removes the events of `records`; those with a reason in `reasons` (key -> reason) count as dropped. */
    settle: (records, reasons) => run([EVENTS, META], 'readwrite', (t, done) => {
      const events = t.objectStore(EVENTS);
      const meta = t.objectStore(META);
      on(meta.get('totals'), (stored) => {
        const totals = stored || fresh();
        let left = records.length;
        const next = () => {
          if (--left > 0) return;
          meta.put(totals, 'totals');
          done(totals);
        };
        if (!left) return done(totals);
        for (const { k } of records) {
          // Another tab may have settled it, or the bound dropped it meanwhile: count each event once.
          on(events.get(k), (present) => {
            if (present) {
              events.delete(k);
              totals.count--;
              totals.bytes -= present.s;
              const reason = reasons.get(k);
              if (reason) totals.dropped[reason] = (totals.dropped[reason] || 0) + 1;
            }
            next();
          });
        }
      });
    }),
  };
}
