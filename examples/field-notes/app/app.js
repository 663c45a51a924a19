// Field notes: an offline-first notes app. Every edit is written to IndexedDB at once and queued in an outbox of
// mutations; the outbox replays against the notes API when the network is back (retries with backoff, dead letters,
// a three-way merge when the note's version moved). What happens is recorded with the Bellwether SDK, with the
// new-sync-engine flag as Unleash evaluated it for this browser.
'use strict';

const config = self.FIELD_NOTES_CONFIG;
const FLAGS = ['new-sync-engine'];
const MUTATION = 'note.update';
const MAX_ATTEMPTS = 5;
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
const REQUEST_TIMEOUT_MS = 10_000;
const FLAGS_WAIT_MS = 3000;
const DB_NAME = 'field-notes';

const recorded = [];
let telemetry = null;
let flagClient = null;
let db = null;
let draining = null;
let retryTimer = null;

// --- telemetry ---

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

// Starts Unleash's frontend client and answers it with the SDK's flags function for it, made before the client starts
// so that it sees the toggles the client reads from its storage (offline) as well as those it fetches. Waits for
// Unleash's answer (or its failure, offline) so that the first events carry evaluated flags, but no longer than
// FLAGS_WAIT_MS: flags stored by an earlier visit are used meanwhile.
async function startFlags() {
  if (!config.unleashUrl || !config.unleashToken) return { client: null, flags: {} };
  const client = new unleash.UnleashClient({
    url: `${config.unleashUrl}/api/frontend`, clientKey: config.unleashToken, appName: config.app, refreshInterval: 15,
  });
  const flags = self.Bellwether ? Bellwether.unleashFlags(client, FLAGS) : {};
  await new Promise((resolve) => {
    client.on('ready', resolve);
    client.on('error', resolve);
    setTimeout(resolve, FLAGS_WAIT_MS);
    client.start();
  });
  return { client, flags };
}

async function startTelemetry() {
  let loaded = false;
  if (config.key) {
    try {
      await loadScript(`${config.bellwether}/sdk/bellwether.js`);
      loaded = true;
    } catch (error) {
      console.warn('field-notes: telemetry is off,', error.message);
    }
  }
  const { client, flags } = await startFlags();
  flagClient = client;
  if (!loaded) return;
  telemetry = Bellwether.init({
    endpoint: config.bellwether, key: config.key, app: config.app, release: config.release,
    flags, onHealth: renderSdkStats,
  });
}

// Records one event; a refused or failed record is logged, never allowed to break an edit.
async function record(type, event) {
  recorded.push({ type, ...event, at: new Date().toISOString() });
  renderActivity();
  if (!telemetry) return;
  try {
    await telemetry[type](event);
  } catch (error) {
    console.warn(`field-notes: bw.${type} failed:`, error.message);
  }
}

// --- IndexedDB: schema v1 (notes, outbox, dead letters, meta), v2 adds notes.updatedAt and an index on it ---

function request(idbRequest) {
  return new Promise((resolve, reject) => {
    idbRequest.onsuccess = () => resolve(idbRequest.result);
    idbRequest.onerror = () => reject(idbRequest.error);
  });
}

function done(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onabort = transaction.onerror = () => reject(transaction.error ?? new Error('transaction aborted'));
  });
}

const MIGRATIONS = {
  1(database) {
    database.createObjectStore('notes', { keyPath: 'id' });
    database.createObjectStore('outbox', { keyPath: 'mutationId' }).createIndex('byQueuedAt', 'queuedAt');
    database.createObjectStore('deadLetters', { keyPath: 'mutationId' });
    database.createObjectStore('meta');
  },
  2(database, transaction) {
    // Notes written by v1 have no updatedAt: they get the time of the migration, then the list sorts by it.
    const notes = transaction.objectStore('notes');
    notes.createIndex('byUpdatedAt', 'updatedAt');
    const now = new Date().toISOString();
    notes.openCursor().onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) return;
      if (!cursor.value.updatedAt) cursor.update({ ...cursor.value, updatedAt: now });
      cursor.continue();
    };
  },
};

function open(version) {
  return new Promise((resolve, reject) => {
    const opening = version === undefined ? indexedDB.open(DB_NAME) : indexedDB.open(DB_NAME, version);
    let upgrade = null;
    opening.onupgradeneeded = (event) => {
      upgrade = { fromVersion: event.oldVersion, toVersion: event.newVersion, started: performance.now() };
      for (let step = event.oldVersion + 1; step <= event.newVersion; step++) MIGRATIONS[step](opening.result, opening.transaction);
    };
    opening.onsuccess = () => resolve({ database: opening.result, upgrade });
    opening.onerror = (event) => {
      event.preventDefault();
      reject(Object.assign(opening.error, { upgrade }));
    };
  });
}

async function openDatabase() {
  let opened;
  try {
    opened = await open(config.schemaVersion);
  } catch (error) {
    if (error.name === 'VersionError') {
      // This release is older than the one that last opened the database: its newer schema only adds to ours.
      opened = await open();
    } else {
      if (error.upgrade && error.upgrade.fromVersion > 0) {
        await record('migration', { fromVersion: error.upgrade.fromVersion, toVersion: error.upgrade.toVersion,
          outcome: 'failed', durationMs: Math.round(performance.now() - error.upgrade.started) });
      }
      throw error;
    }
  }
  const { upgrade } = opened;
  // A new database (from version 0) is created, not migrated: only upgrades of existing data are reported.
  if (upgrade && upgrade.fromVersion > 0) {
    await record('migration', { fromVersion: upgrade.fromVersion, toVersion: upgrade.toVersion, outcome: 'succeeded',
      durationMs: Math.round(performance.now() - upgrade.started) });
  }
  return opened.database;
}

async function all(storeName) {
  return request(db.transaction(storeName).objectStore(storeName).getAll());
}

async function pendingMutations() {
  const mutations = await all('outbox');
  return mutations.sort((a, b) => a.queuedAt - b.queuedAt);
}

// --- editing ---

function schemaFields() {
  return db.version >= 2 ? { updatedAt: new Date().toISOString() } : {};
}

async function saveNote(id, title, text) {
  const transaction = db.transaction(['notes', 'outbox'], 'readwrite');
  const notes = transaction.objectStore('notes');
  const current = (await request(notes.get(id))) ?? { id, title: '', text: '', version: 0 };
  notes.put({ ...current, title, text, ...schemaFields() });
  const mutationId = crypto.randomUUID();
  transaction.objectStore('outbox').put({
    mutationId, noteId: id, title, text, baseVersion: current.version, base: { title: current.title, text: current.text },
    queuedAt: Date.now(), attempts: 0, nextAttemptAt: 0,
  });
  await done(transaction);
  await recordOutbox();
  render();
  drainOutbox();
  return mutationId;
}

async function recordOutbox() {
  const pending = await pendingMutations();
  const oldest = pending[0];
  await record('outbox', { depth: pending.length, ...(oldest ? { oldestAgeMs: Date.now() - oldest.queuedAt } : {}) });
}

// --- replay ---

function backoff(attempts) {
  const ceiling = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempts - 1));
  return ceiling / 2 + Math.random() * ceiling / 2;
}

async function put(mutation) {
  return fetch(`/api/notes/${encodeURIComponent(mutation.noteId)}`, {
    method: 'PUT', headers: { 'Content-Type': 'application/json' }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    body: JSON.stringify({ mutationId: mutation.mutationId, baseVersion: mutation.baseVersion, title: mutation.title,
      text: mutation.text }),
  });
}

// Three-way merge of a note's fields: a field only one side changed takes that side; a field both changed takes
// this client's value, the later write (last writer wins).
function merge(base, mine, theirs) {
  const merged = {};
  let bothChanged = false;
  for (const field of ['title', 'text']) {
    const mineChanged = mine[field] !== base[field];
    const theirsChanged = theirs[field] !== base[field];
    if (!mineChanged) merged[field] = theirs[field];
    else {
      merged[field] = mine[field];
      if (theirsChanged && theirs[field] !== mine[field]) bothChanged = true;
    }
  }
  return { merged, resolution: bothChanged ? 'client_wins' : 'auto_merged' };
}

async function applied(mutation, note) {
  const transaction = db.transaction(['notes', 'outbox'], 'readwrite');
  const outbox = transaction.objectStore('outbox');
  outbox.delete(mutation.mutationId);
  const later = (await request(outbox.getAll())).filter((other) => other.noteId === mutation.noteId);
  // Later edits of this note were made on top of this one: they now apply to the version it became.
  for (const other of later) {
    if (other.baseVersion === mutation.baseVersion) {
      outbox.put({ ...other, baseVersion: note.version, base: { title: mutation.title, text: mutation.text } });
    }
  }
  const notes = transaction.objectStore('notes');
  if (later.length) {
    // The local note already shows the later edits: only the version it stands on moves.
    const local = await request(notes.get(note.id));
    notes.put({ ...local, version: note.version });
  } else {
    notes.put(note);
  }
  await done(transaction);
}

async function conflicted(mutation, current) {
  const theirs = current ?? { title: '', text: '', version: 0 };
  const { merged, resolution } = merge(mutation.base, mutation, theirs);
  const transaction = db.transaction(['notes', 'outbox'], 'readwrite');
  const outbox = transaction.objectStore('outbox');
  outbox.delete(mutation.mutationId);
  const notes = transaction.objectStore('notes');
  const later = (await request(outbox.getAll())).filter((other) => other.noteId === mutation.noteId);
  if (merged.title === theirs.title && merged.text === theirs.text) {
    if (!later.length) notes.put({ ...theirs, id: mutation.noteId, ...schemaFields() });
  } else {
    // The merge is a new mutation on the server's version, replayed like any other.
    outbox.put({ mutationId: crypto.randomUUID(), noteId: mutation.noteId, ...merged, baseVersion: theirs.version,
      base: { title: theirs.title, text: theirs.text }, queuedAt: mutation.queuedAt, attempts: 0, nextAttemptAt: 0 });
    if (!later.length) notes.put({ id: mutation.noteId, ...merged, version: theirs.version, ...schemaFields() });
  }
  for (const other of later) {
    if (other.baseVersion === mutation.baseVersion) outbox.put({ ...other, baseVersion: theirs.version, base: merged });
  }
  await done(transaction);
  return resolution;
}

async function deadLetter(mutation, attempts, reason) {
  const transaction = db.transaction(['outbox', 'deadLetters'], 'readwrite');
  transaction.objectStore('outbox').delete(mutation.mutationId);
  transaction.objectStore('deadLetters').put({ ...mutation, attempts, reason, deadAt: Date.now() });
  await done(transaction);
}

async function retryLater(mutation, attempts) {
  const transaction = db.transaction('outbox', 'readwrite');
  transaction.objectStore('outbox').put({ ...mutation, attempts, nextAttemptAt: Date.now() + backoff(attempts) });
  await done(transaction);
}

function isPermanent(status) {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

// One replay attempt of one mutation; returns false when the server could not be reached (the rest waits).
async function replayOnce(mutation) {
  const attempts = mutation.attempts + 1;
  const started = performance.now();
  let response = null;
  let failure = null;
  try {
    response = await put(mutation);
  } catch (error) {
    failure = error.name === 'TimeoutError' ? 'timeout' : 'network';
  }
  const replay = (outcome) => record('replay', { mutationId: mutation.mutationId, mutation: MUTATION, outcome, attempts,
    latencyMs: Math.round(performance.now() - started) });
  if (response && response.ok) {
    await applied(mutation, await response.json());
    await replay('succeeded');
    return true;
  }
  if (response && response.status === 409) {
    const body = await response.json();
    const resolution = await conflicted(mutation, body.current);
    await replay('conflicted');
    await record('conflict', { entity: 'note', resolution, mutationId: mutation.mutationId });
    return true;
  }
  if (response && isPermanent(response.status)) {
    const body = await response.json().catch(() => ({}));
    await deadLetter(mutation, attempts, `${response.status} ${body.detail ?? ''}`.trim());
    await replay('dead_lettered');
    return true;
  }
  const reason = failure ?? `${response.status}`;
  if (attempts >= MAX_ATTEMPTS) {
    await deadLetter(mutation, attempts, `${reason} after ${attempts} attempts`);
    await replay('dead_lettered');
  } else {
    await retryLater(mutation, attempts);
    await replay('retried');
  }
  return false;
}

async function pullNotes() {
  const response = await fetch('/api/notes', { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`GET /api/notes answered ${response.status}`);
  const { notes } = await response.json();
  const pendingIds = new Set((await pendingMutations()).map((mutation) => mutation.noteId));
  const transaction = db.transaction(['notes', 'meta'], 'readwrite');
  const store = transaction.objectStore('notes');
  for (const note of notes) {
    // A note with edits still queued keeps them: the replay meets the server's version and merges.
    if (!pendingIds.has(note.id)) store.put(note);
  }
  transaction.objectStore('meta').put(Date.now(), 'lastSyncedAt');
  await done(transaction);
}

async function drainOnce() {
  clearTimeout(retryTimer);
  const started = performance.now();
  const lastSyncedAt = await request(db.transaction('meta').objectStore('meta').get('lastSyncedAt'));
  let reachable = true;
  let replayed = 0;
  while (reachable && navigator.onLine) {
    const due = (await pendingMutations()).find((mutation) => mutation.nextAttemptAt <= Date.now());
    if (!due) break;
    reachable = await replayOnce(due);
    replayed++;
  }
  if (replayed) await recordOutbox();
  const pending = await pendingMutations();
  if (reachable && navigator.onLine && pending.length === 0) {
    try {
      await pullNotes();
      await record('sync', { latencyMs: Math.round(performance.now() - started),
        ...(lastSyncedAt ? { stalenessMs: Date.now() - lastSyncedAt } : {}) });
    } catch (error) {
      console.warn('field-notes: sync failed,', error.message);
    }
  }
  if (pending.length) {
    const next = Math.min(...pending.map((mutation) => mutation.nextAttemptAt));
    retryTimer = setTimeout(drainOutbox, Math.max(0, next - Date.now()));
  }
  render();
}

// Replays the outbox; a call while a replay runs waits for it and runs once more.
function drainOutbox() {
  const previous = draining ?? Promise.resolve();
  const next = previous.then(drainOnce, drainOnce).finally(() => {
    if (draining === next) draining = null;
  });
  draining = next;
  return next;
}

// --- rendering ---

const $ = (id) => document.getElementById(id);

function item(text, className) {
  const li = document.createElement('li');
  li.textContent = text;
  if (className) li.className = className;
  return li;
}

function flagStates() {
  return flagClient ? FLAGS.map((name) => `${name}: ${flagClient.isEnabled(name) ? 'on' : 'off'}`).join(', ') : 'no Unleash';
}

async function render() {
  const [notes, outbox, dead] = await Promise.all([all('notes'), pendingMutations(), all('deadLetters')]);
  const byTime = (a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? '') || a.title.localeCompare(b.title);
  $('notes').replaceChildren(...notes.sort(db.version >= 2 ? byTime : (a, b) => a.title.localeCompare(b.title))
    .map((note) => {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = note.title || '(untitled)';
      button.dataset.noteId = note.id;
      button.onclick = () => edit(note);
      li.append(button, ` v${note.version}`);
      return li;
    }));
  $('outbox').replaceChildren(...outbox.map((m) => item(`${m.title} — attempts ${m.attempts}`)));
  $('dead-letters').replaceChildren(...dead.map((m) => item(`${m.title} — ${m.reason}`)));
  const status = $('status');
  status.textContent = `${navigator.onLine ? 'online' : 'offline'} · release ${config.release} · schema v${db.version}`
    + ` · outbox ${outbox.length} · ${flagStates()}`;
  status.dataset.outbox = outbox.length;
  status.dataset.deadLetters = dead.length;
}

function renderActivity() {
  const last = recorded.at(-1);
  const { type, at, ...fields } = last;
  $('activity').prepend(item(`${at.slice(11, 19)} bw.${type}(${JSON.stringify(fields)})`));
}

function renderSdkStats(stats) {
  const dropped = Object.entries(stats.dropped).map(([reason, n]) => `${reason} ${n}`).join(', ') || 'none';
  $('sdk-stats').textContent = `SDK: ${stats.sent} sent to Bellwether, ${stats.queued} queued, dropped: ${dropped}`;
}

function edit(note) {
  $('editor-heading').textContent = note ? `Edit “${note.title}”` : 'New note';
  $('note-id').value = note ? note.id : '';
  $('title').value = note ? note.title : '';
  $('text').value = note ? note.text : '';
}

// --- start ---

async function start() {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').catch((error) => console.warn('field-notes: no service worker,', error));
  }
  await startTelemetry();
  db = await openDatabase();
  $('new-note').onclick = () => edit(null);
  $('editor').onsubmit = async (event) => {
    event.preventDefault();
    const id = $('note-id').value || crypto.randomUUID();
    await saveNote(id, $('title').value, $('text').value);
    edit(null);
  };
  addEventListener('online', drainOutbox);
  addEventListener('offline', render);
  await render();
  await drainOutbox();
}

// For the tests and the headless demo: what the app recorded, its stores, and the SDK's flush.
self.fieldNotes = {
  ready: start(),
  recorded,
  outbox: () => pendingMutations(),
  deadLetters: () => all('deadLetters'),
  notes: () => all('notes'),
  flush: () => (telemetry ? telemetry.flush() : Promise.resolve()),
  sdkStats: () => (telemetry ? telemetry.stats() : null),
  drain: drainOutbox,
};
