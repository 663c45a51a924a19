/** Types of the Bellwether beacon SDK (dist/bellwether.mjs, and the global `Bellwether` of dist/bellwether.js). */

/** Flag name to boolean or variant name: a variant counts as on (canary), `false` as off (control). */
export type Flags = Record<string, boolean | string>;

export interface Options {
  /** The service's base URL, e.g. `https://bellwether.example`; beacons go to `<endpoint>/v1/beacons`. */
  endpoint: string;
  /** The app's ingest key. */
  key: string;
  /** The app's name, 1-128 characters. */
  app: string;
  /** The running release, 1-128 characters. */
  release: string;
  /** The flags the client runs with: an object, or a function called at each record call. */
  flags?: Flags | (() => Flags);
  /** Milliseconds between batched sends. Default 10000. */
  intervalMs?: number;
  /** Most events kept in IndexedDB; over it the oldest are dropped, counted as `overflow`. Default 10000. */
  maxEvents?: number;
  /** Most bytes of events kept in IndexedDB; over it the oldest are dropped, counted as `overflow`. Default 5 MiB. */
  maxBytes?: number;
  /** Most mutations whose first-attempt flags are remembered. Default 1000. */
  maxMutations?: number;
  /** First backoff after a failed send, in milliseconds; doubles per failure, with full jitter. Default 1000. */
  backoffMs?: number;
  /** Longest backoff, in milliseconds. Default 300000. */
  maxBackoffMs?: number;
  /** Bound on one send, in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** Largest beacon body in bytes (UTF-8). Default 65000, under the service's and the browser's 64 KiB. */
  maxBeaconBytes?: number;
  /** Called with the SDK's counts after each send and each drop. */
  onHealth?: (stats: Stats) => void;
  /** IndexedDB database name. Default `bellwether-<app>`. */
  dbName?: string;
  /** An IndexedDB factory, for runtimes without the global one (tests). */
  indexedDB?: IDBFactory;
  /** A fetch function, for runtimes without the global one (tests). */
  fetch?: typeof fetch;
  /**
   * Web Locks, so that one tab or worker at a time sends the shared database's events. Default `navigator.locks`;
   * `null` to not coordinate (the service's dedupe still counts each event once).
   */
  locks?: LockManager | null;
}

export interface Stats {
  /** Events stored and not yet acknowledged (all instances sharing the database). */
  queued: number;
  /** Their bytes, as counted against `maxBytes`. */
  queuedBytes: number;
  /** Events this instance saw acknowledged (accepted or duplicate). */
  sent: number;
  /** Events dropped since the database was created, by reason: `overflow`, `invalid_beacon`, `too_large`, or a rejection code. */
  dropped: Record<string, number>;
  /** Consecutive failed sends. */
  failures: number;
  /** When the next send is due (epoch milliseconds), or null. */
  nextAttemptAt: number | null;
  /** True once the service refused the key or origin (401/403): sending stopped, events kept. */
  refused: boolean;
}

export interface Timed {
  /**
   * When the event happened, if the app knows better than the time of the call (a mutation made offline): a Date,
   * epoch milliseconds or an ISO-8601 text with offset; at most 5 minutes ahead and 14 days old by this device's clock.
   */
  at?: Date | number | string;
}

export interface ReplayEvent extends Timed {
  outcome: 'succeeded' | 'retried' | 'dead_lettered' | 'conflicted';
  /** The app's identifier of the mutation: its replays are reported with the flags of its first attempt. Not sent. */
  mutationId?: string;
  mutation?: string;
  attempts?: number;
  latencyMs?: number;
}

export interface Client {
  /** Each record call resolves with the event id once the event is stored in IndexedDB. */
  replay(event: ReplayEvent): Promise<string>;
  sync(event: Timed & { latencyMs: number; stalenessMs?: number }): Promise<string>;
  conflict(event: Timed & {
    resolution: 'auto_merged' | 'user_resolved' | 'server_wins' | 'client_wins' | 'unresolved';
    entity?: string;
    /** The mutation that hit the conflict: reported with that mutation's first-attempt flags. Not sent. */
    mutationId?: string;
  }): Promise<string>;
  migration(event: Timed & { fromVersion: number; toVersion: number; outcome: 'succeeded' | 'failed' | 'rolled_back'; durationMs?: number }): Promise<string>;
  outbox(event: Timed & { depth: number; oldestAgeMs?: number }): Promise<string>;
  /** Resolves once every event recorded so far is acknowledged; rejects while offline, when refused, or when a send fails. */
  flush(): Promise<void>;
  stats(): Stats;
  /** Stops timers and listeners, waits for pending writes and sends, and closes the database. */
  close(): Promise<void>;
}

export function init(options: Options): Client;

/** What the adapter needs of unleash-proxy-client's UnleashClient. */
export interface UnleashClientLike {
  isEnabled(name: string): boolean;
  getVariant(name: string): { name: string; enabled: boolean; feature_enabled?: boolean };
  isReady?(): boolean;
  on?(event: 'initialized' | 'ready', listener: () => void): unknown;
}

/**
 * A `flags` function reporting, for each name, the enabled variant's name, else `isEnabled`. Until the client has
 * its toggles (`initialized` or `ready`) it reports none of them, so that no event counts as control by mistake.
 * Create it right after `new UnleashClient(...)`, before `start()`: created later, flags are reported from `isReady()`.
 */
export function unleashFlags(client: UnleashClientLike, names: string[]): () => Flags;
export const version: string;
