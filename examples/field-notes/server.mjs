// Field notes' server: the app's static files, an in-memory notes API with versions (409 when a note's version
// moved), and /config.js telling the page where Bellwether and Unleash are. Dependency-free, Node 20.
//
//   node server.mjs [--port 5173] [--host 127.0.0.1] [--bellwether http://localhost:8080] [--key <ingest key>]
//                   [--app field-notes] [--release 2026.11.3] [--schema 2]
//                   [--unleash http://localhost:4242] [--unleash-token <frontend token>] [--data notes.json]
//
// Each option can also come from the environment: PORT, HOST, BELLWETHER_ENDPOINT, BELLWETHER_KEY, BELLWETHER_APP,
// FIELD_NOTES_RELEASE, FIELD_NOTES_SCHEMA, UNLEASH_URL, UNLEASH_FRONTEND_TOKEN, FIELD_NOTES_DATA. With --data the
// notes are also written to that file and read back at start, so a restart (a new release) keeps them.
import { createServer } from 'node:http';
import { readFile, writeFile, rename } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    port: { type: 'string' }, host: { type: 'string' }, bellwether: { type: 'string' }, key: { type: 'string' },
    app: { type: 'string' }, release: { type: 'string' }, schema: { type: 'string' }, unleash: { type: 'string' },
    'unleash-token': { type: 'string' }, data: { type: 'string' },
  },
});
const env = process.env;
const settings = {
  port: Number(args.port ?? env.PORT ?? 5173),
  host: args.host ?? env.HOST ?? '127.0.0.1',
  data: args.data ?? env.FIELD_NOTES_DATA ?? null,
};
const pageConfig = {
  bellwether: (args.bellwether ?? env.BELLWETHER_ENDPOINT ?? 'http://localhost:8080').replace(/\/+$/, ''),
  key: args.key ?? env.BELLWETHER_KEY ?? '',
  app: args.app ?? env.BELLWETHER_APP ?? 'field-notes',
  release: args.release ?? env.FIELD_NOTES_RELEASE ?? '2026.11.3',
  schemaVersion: Number(args.schema ?? env.FIELD_NOTES_SCHEMA ?? 2),
  unleashUrl: (args.unleash ?? env.UNLEASH_URL ?? '').replace(/\/+$/, ''),
  unleashToken: args['unleash-token'] ?? env.UNLEASH_FRONTEND_TOKEN ?? '',
};
if (![1, 2].includes(pageConfig.schemaVersion)) {
  console.error(`server.mjs: --schema must be 1 or 2, got ${pageConfig.schemaVersion}`);
  process.exit(2);
}

const MAX_BODY_BYTES = 64 * 1024;
const MAX_TITLE = 120;
const MAX_TEXT = 10_000;
const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml',
};
const STATIC = {
  '/vendor/unleash-proxy-client.js': join(here, 'node_modules/unleash-proxy-client/build/main.min.js'),
};

// notes by id: {id, title, body, version, updatedAt}; replies by mutation id, so a replayed PUT answers as before
const notes = new Map();
const replies = new Map();
if (settings.data && existsSync(settings.data)) {
  const saved = JSON.parse(readFileSync(settings.data, 'utf8'));
  for (const note of saved.notes ?? []) notes.set(note.id, note);
  for (const [mutationId, reply] of saved.replies ?? []) replies.set(mutationId, reply);
}

let saving = Promise.resolve();
function persist() {
  if (!settings.data) return saving;
  const snapshot = JSON.stringify({ notes: [...notes.values()], replies: [...replies.entries()] });
  saving = saving.then(async () => {
    await writeFile(settings.data + '.tmp', snapshot);
    await rename(settings.data + '.tmp', settings.data);
  });
  return saving;
}

function send(response, status, body, headers = {}) {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  response.writeHead(status, { 'Cache-Control': 'no-cache', ...headers });
  response.end(text);
}

function problem(response, status, title, detail, extra = {}) {
  send(response, status, { type: 'about:blank', title, status, detail, ...extra },
    { 'Content-Type': 'application/problem+json' });
}

async function readJson(request) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error('body over 64 KiB'), { status: 413 });
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('body is not JSON'), { status: 400 });
  }
}

// The first field of a note update that is wrong, with why; null when the update is good.
function invalidField(update) {
  if (update === null || typeof update !== 'object' || Array.isArray(update)) return ['body', 'must be a JSON object'];
  if (typeof update.mutationId !== 'string' || update.mutationId.length < 1 || update.mutationId.length > 128) {
    return ['mutationId', 'must be a text of 1 to 128 characters'];
  }
  if (!Number.isInteger(update.baseVersion) || update.baseVersion < 0) {
    return ['baseVersion', 'must be a whole number ≥ 0 (0 creates the note)'];
  }
  if (typeof update.title !== 'string' || update.title.trim().length < 1 || update.title.length > MAX_TITLE) {
    return ['title', `must be a text of 1 to ${MAX_TITLE} characters`];
  }
  if (typeof update.text !== 'string' || update.text.length > MAX_TEXT) {
    return ['text', `must be a text of at most ${MAX_TEXT} characters`];
  }
  return null;
}

async function updateNote(request, response, id) {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return problem(response, 400, 'Bad note id', 'the note id must be 1 to 64 letters, digits, - or _', { field: 'id' });
  const update = await readJson(request);
  const invalid = invalidField(update);
  if (invalid) return problem(response, 400, 'Bad note update', `${invalid[0]} ${invalid[1]}`, { field: invalid[0] });
  const earlier = replies.get(update.mutationId);
  if (earlier) return send(response, earlier.status, earlier.body, { 'Content-Type': 'application/json' });
  const current = notes.get(id) ?? null;
  const currentVersion = current ? current.version : 0;
  if (update.baseVersion !== currentVersion) {
    return problem(response, 409, 'Version moved',
      `the note is at version ${currentVersion}, the update was made on version ${update.baseVersion}`,
      { field: 'baseVersion', current });
  }
  const note = { id, title: update.title, text: update.text, version: currentVersion + 1, updatedAt: new Date().toISOString() };
  notes.set(id, note);
  replies.set(update.mutationId, { status: 200, body: note });
  await persist();
  send(response, 200, note, { 'Content-Type': 'application/json' });
}

async function serveFile(response, file) {
  try {
    const body = await readFile(file);
    send(response, 200, body, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
  } catch {
    problem(response, 404, 'Not found', 'no such file');
  }
}

const appDirectory = join(here, 'app');
const server = createServer(async (request, response) => {
  const url = new URL(request.url, 'http://localhost');
  const path = url.pathname;
  try {
    if (path === '/api/notes' && request.method === 'GET') {
      return send(response, 200, { notes: [...notes.values()] }, { 'Content-Type': 'application/json' });
    }
    const noteMatch = path.match(/^\/api\/notes\/([^/]+)$/);
    if (noteMatch && request.method === 'PUT') return await updateNote(request, response, decodeURIComponent(noteMatch[1]));
    if (path.startsWith('/api/')) return problem(response, 404, 'Not found', `no ${request.method} ${path}`);
    if (request.method !== 'GET' && request.method !== 'HEAD') return problem(response, 405, 'Method not allowed', `${request.method} ${path}`);
    if (path === '/config.js') {
      return send(response, 200, `self.FIELD_NOTES_CONFIG = ${JSON.stringify(pageConfig)};\n`,
        { 'Content-Type': 'text/javascript; charset=utf-8' });
    }
    if (STATIC[path]) return await serveFile(response, STATIC[path]);
    const file = normalize(join(appDirectory, path === '/' ? 'index.html' : path));
    if (!file.startsWith(appDirectory)) return problem(response, 404, 'Not found', 'no such file');
    return await serveFile(response, file);
  } catch (error) {
    if (error.status) return problem(response, error.status, 'Bad request', error.message, { field: 'body' });
    console.error('server.mjs:', error);
    return problem(response, 500, 'Server error', 'see the server log');
  }
});

server.listen(settings.port, settings.host, () => {
  // The ingest key and the Unleash token are not printed.
  console.log(`field-notes ${pageConfig.release} (schema v${pageConfig.schemaVersion}) on http://${settings.host}:${settings.port}`
    + ` — Bellwether ${pageConfig.bellwether}${pageConfig.key ? '' : ' (no ingest key: telemetry off)'},`
    + ` Unleash ${pageConfig.unleashUrl || 'not configured'}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    saving.finally(() => process.exit(0));
  });
}
