/**
 * Types of the Workbox adapter (dist/bellwether-workbox.mjs, and Bellwether.workboxSync once
 * dist/bellwether-workbox.js is loaded after dist/bellwether.js).
 */
import type { Client } from './bellwether';

/** An entry of workbox-background-sync's Queue, as shiftRequest answers it. */
export interface QueueEntry {
  request: Request;
  timestamp?: number;
  metadata?: Record<string, unknown>;
}

/** What the adapter uses of workbox-background-sync's Queue (Workbox 7). */
export interface QueueLike {
  shiftRequest(): Promise<QueueEntry | undefined>;
  unshiftRequest(entry: QueueEntry): Promise<void>;
  getAll(): Promise<QueueEntry[]>;
}

export interface WorkboxSyncOptions {
  /** The replay's `mutation` name for a request, e.g. `note.update`; a bad one is warned about and left out. */
  mutationOf?: (request: Request) => string;
  /** Replays of one request after which a failing one is dead-lettered and leaves the queue. Default: no limit. */
  maxAttempts?: number;
  /**
   * Called with a request that left the queue unapplied: `conflicted` (409) or `dead_lettered` (another 4xx, or
   * `maxAttempts` reached; the response is null after a network failure).
   */
  onDropped?: (entry: QueueEntry, response: Response | null, outcome: 'conflicted' | 'dead_lettered') => void | Promise<void>;
  /** A fetch function, for runtimes without the global one (tests). */
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * An `onSync` callback for `new Queue(name, {onSync})`: replays the queue as Workbox's replayRequests does, records a
 * replay event per attempt (one mutation per queued request, its id and attempts kept in the entry's
 * `metadata.bellwether`) and an outbox event with the queue's depth after each sync.
 */
export function workboxSync(bw: Client, options?: WorkboxSyncOptions): (options: { queue: QueueLike }) => Promise<void>;
