// Input checks that mirror the beacon contract v1, so that a programmer's mistake fails at the call
// with a TypeError naming the field, instead of as a rejected event in a beacon sent later.

const MAX_TEXT = 128;
// The service's bounds (contract): larger amounts mean a broken client, larger counts do not fit its integers.
const MAX_AMOUNT = 1e12;
const MAX_COUNT = 2147483647;
const MAX_FLAGS = 64;
const MAX_FLAGS_LABEL_BYTES = 1024;
// The service refuses an event more than this ahead of its clock, or older than its raw-event retention (default
// shown here; a service configured shorter refuses older events itself, and the SDK counts them as dropped).
const MAX_AHEAD_MS = 5 * 60 * 1000;
const MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;
// ISO-8601 date and time with seconds and an offset (Z or ±hh:mm), as the contract asks.
const ISO_WITH_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;

const REPLAY_OUTCOMES = ['succeeded', 'retried', 'dead_lettered', 'conflicted'];
const RESOLUTIONS = ['auto_merged', 'user_resolved', 'server_wins', 'client_wins', 'unresolved'];
const MIGRATION_OUTCOMES = ['succeeded', 'failed', 'rolled_back'];

const fail = (field, problem) => {
  throw new TypeError(`Bellwether: ${field} ${problem}`);
};

const describe = (value) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string'
  ? JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value) : typeof value === 'number' ? String(value) : typeof value);

export function text(value, field, extraForbidden) {
  if (typeof value !== 'string') fail(field, `must be a string, got ${describe(value)}`);
  // eslint-disable-next-line no-control-regex
  if (value.length < 1 || value.length > MAX_TEXT || /[\u0000-\u001f\u007f]/.test(value)
      || (extraForbidden && extraForbidden.test(value))) {
    fail(field, `must be 1-${MAX_TEXT} characters without control characters${extraForbidden ? ` or ${extraForbidden.source.slice(1, -1)}` : ''}, got ${describe(value)}`);
  }
  return value;
}

const amount = (value, field) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_AMOUNT) {
    fail(field, `must be a number from 0 to ${MAX_AMOUNT}, got ${describe(value)}`);
  }
  return value;
};

const count = (min) => (value, field) => {
  if (!Number.isInteger(value) || value < min || value > MAX_COUNT) fail(field, `must be an integer >= ${min}, got ${describe(value)}`);
  return value;
};

const oneOf = (allowed) => (value, field) => {
  if (!allowed.includes(value)) fail(field, `must be one of ${allowed.join(', ')}, got ${describe(value)}`);
  return value;
};

/**
 * An event time given by the app (a Date, epoch milliseconds, or an ISO-8601 text with offset) as the ISO text the
 * contract takes, within the service's bounds as seen by this device's clock at `now`.
 */
const moment = (value, field, now) => {
  const ms = value instanceof Date || typeof value === 'number' ? +value
    : typeof value === 'string' && ISO_WITH_OFFSET.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    fail(field, `must be a Date, epoch milliseconds or an ISO-8601 text with offset, got ${describe(value)}`);
  }
  if (ms > now + MAX_AHEAD_MS) fail(field, `must be at most ${MAX_AHEAD_MS / 60000} minutes ahead of now, got ${new Date(ms).toISOString()}`);
  if (ms < now - MAX_AGE_MS) fail(field, `must be at most ${MAX_AGE_MS / 86400000} days old (the service's retention), got ${new Date(ms).toISOString()}`);
  return new Date(ms).toISOString();
};

// Per type: field -> [check, required]. mutationId is the SDK's own: it selects the flags, and is not sent.
const SHAPES = {
  outbox: { depth: [count(0), 1], oldestAgeMs: [amount] },
  replay: { outcome: [oneOf(REPLAY_OUTCOMES), 1], mutation: [text], attempts: [count(1)], latencyMs: [amount], mutationId: [text] },
  sync: { latencyMs: [amount, 1], stalenessMs: [amount] },
  conflict: { resolution: [oneOf(RESOLUTIONS), 1], entity: [text], mutationId: [text] },
  migration: { fromVersion: [count(0), 1], toVersion: [count(0), 1], outcome: [oneOf(MIGRATION_OUTCOMES), 1], durationMs: [amount] },
};

/**
 * The event's contract fields (type first, then `at`: the app's, or `now`) and its mutationId, or a TypeError naming
 * the bad field.
 */
export function checkEvent(type, input, now) {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) fail(type, `takes an object of fields, got ${describe(input)}`);
  const shape = SHAPES[type];
  const given = input.at;
  const event = { type, at: given === undefined || given === null ? new Date(now).toISOString() : moment(given, `${type}.at`, now) };
  let mutationId;
  for (const field of Object.keys(input)) {
    if (!shape[field] && field !== 'at') fail(`${type}.${field}`, `is not a field of a ${type} event (${Object.keys(shape).join(', ')}, at)`);
  }
  for (const [field, [check, required]] of Object.entries(shape)) {
    const value = input[field];
    if (value === undefined || value === null) {
      if (required) fail(`${type}.${field}`, 'is required');
      continue;
    }
    check(value, `${type}.${field}`);
    if (field === 'mutationId') mutationId = value;
    else event[field] = value;
  }
  return { event, mutationId };
}

/**
 * The flags as the canonical JSON text of a cohort (names sorted, "true"/"false" read as booleans), checked
 * against the service's bounds so that a beacon is never refused for its flags.
 */
export function flagsKey(flags) {
  if (flags === undefined || flags === null) return '{}';
  if (typeof flags !== 'object' || Array.isArray(flags)) fail('flags', `must be an object of flag name to boolean or variant name, got ${describe(flags)}`);
  const names = Object.keys(flags).sort();
  if (names.length > MAX_FLAGS) fail('flags', `has at most ${MAX_FLAGS} flags, got ${names.length}`);
  const canonical = {};
  let label = '';
  for (const name of names) {
    text(name, `flags name ${describe(name)}`, /[,=]/);
    let value = flags[name];
    if (value === 'true' || value === 'false') value = value === 'true';
    if (typeof value !== 'boolean') text(value, `flags.${name}`, /[,]/);
    canonical[name] = value;
    label += (label ? ',' : '') + name + '=' + value;
  }
  if (utf8Length(label) > MAX_FLAGS_LABEL_BYTES) fail('flags', `must take at most ${MAX_FLAGS_LABEL_BYTES} bytes written as name=value pairs`);
  return JSON.stringify(canonical);
}

/** Bytes of the text in UTF-8, without encoding it. */
export function utf8Length(value) {
  let bytes = value.length;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) { bytes += 2; i++; } // a surrogate pair: 4 bytes for 2 UTF-16 units
    else if (code > 0x7ff) bytes += 2;
    else if (code > 0x7f) bytes += 1;
  }
  return bytes;
}
