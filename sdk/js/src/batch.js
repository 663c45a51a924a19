// How stored events become beacons: pure, so that the splitting rules are tested without a network.
import { utf8Length } from './validate.js';

// The contract's cap on events in one beacon.
const MAX_EVENTS_PER_BEACON = 1000;
// The `sdk` field stays small: the service reads and ignores it.
const MAX_SDK_FIELD_BYTES = 255;

/** The wire form of a stored event: its id comes from its IndexedDB key, unique for the life of the database. */
const eventJson = (record) => JSON.stringify({ id: 'e' + record.k, ...record.e });

/**
 * The records as beacons, oldest first: one flags object and one release per beacon (events recorded under
 * different flags or by an earlier release never share one), each body at most `limit` bytes and 1,000 events.
 */
export function beacons(records, app, client, sdk, limit) {
  const groups = new Map();
  for (const record of records) {
    const group = record.r + '\n' + record.f;
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(record);
  }
  const out = [];
  for (const list of groups.values()) {
    const head = `{"schema":1,"app":${JSON.stringify(app)},"release":${JSON.stringify(list[0].r)},"client":${JSON.stringify(client)},"flags":${list[0].f},"sdk":${sdk},"events":[`;
    const empty = utf8Length(head) + 2;
    let parts = [];
    let members = [];
    let bytes = empty;
    const close = () => out.push({ records: members, bytes, body: head + parts.join(',') + ']}' });
    for (const record of list) {
      const json = eventJson(record);
      const size = utf8Length(json) + 1;
      if (parts.length && (bytes + size > limit || parts.length >= MAX_EVENTS_PER_BEACON)) {
        close();
        parts = [];
        members = [];
        bytes = empty;
      }
      bytes += parts.length ? size : size - 1;
      parts.push(json);
      members.push(record);
    }
    close();
  }
  return out;
}

/** The SDK's own health for the service: name, version and drops by reason, the largest first, within its bound. */
export function sdkField(version, dropped) {
  const entries = Object.entries(dropped).sort((a, b) => b[1] - a[1]);
  for (let n = entries.length; ; n--) {
    const field = JSON.stringify({ name: 'bellwether-js', version, dropped: Object.fromEntries(entries.slice(0, n)) });
    if (utf8Length(field) <= MAX_SDK_FIELD_BYTES || n === 0) return field;
  }
}
