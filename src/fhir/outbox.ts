/**
 * The outbox: a submission is written here before it is sent and removed only when the server has
 * confirmed it, so a failure, a closed tab or a reload never loses it. Entries are encrypted at rest
 * with AES-GCM under a non-extractable WebCrypto key (the key can be used by this origin's code but
 * never read out), so domestic abuse content is never in browser storage in clear text.
 */
import type { WriteProgress } from './write.js';

export interface OutboxEntry {
  /** The response's UUID: one entry per form instance. */
  id: string;
  /** The FHIR server it is for: a gateway sends only its own server's entries. */
  baseUrl?: string;
  bundle: fhir4.Bundle;
  /** How far a one-by-one write got (see write.ts). */
  progress?: WriteProgress;
  /** The server refused the sign-in: kept, and sent again once a new token is given. */
  needsSignIn?: boolean;
  /** For the list a clinician sees; never clinical content. */
  label: string;
  restricted: boolean;
  createdAt: string;
  attempts: number;
  lastError?: string;
}

/** Async key-value storage; IndexedDB in browsers, a Map in tests and Node. */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
  /** Sets only if the key is absent; false when it was there already. */
  add?(key: string, value: unknown): Promise<boolean>;
}

export class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, unknown>();
  async get(key: string) {
    return this.data.get(key);
  }
  async set(key: string, value: unknown) {
    this.data.set(key, value);
  }
  async delete(key: string) {
    this.data.delete(key);
  }
  async keys() {
    return [...this.data.keys()];
  }
  async add(key: string, value: unknown) {
    if (this.data.has(key)) return false;
    this.data.set(key, value);
    return true;
  }
}

/** IndexedDB-backed store (structured clone keeps CryptoKeys non-extractable). */
export function indexedDbStore(name = 'kbs-outbox'): KeyValueStore {
  const open = () =>
    new Promise<IDBDatabase>((ok, fail) => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore('entries');
      request.onsuccess = () => ok(request.result);
      request.onerror = () => fail(request.error);
    });
  const run = async <T>(mode: IDBTransactionMode, action: (s: IDBObjectStore) => IDBRequest<T>) => {
    const db = await open();
    try {
      return await new Promise<T>((ok, fail) => {
        const request = action(db.transaction('entries', mode).objectStore('entries'));
        request.onsuccess = () => ok(request.result);
        request.onerror = () => fail(request.error);
      });
    } finally {
      db.close();
    }
  };
  return {
    get: (key) => run('readonly', (s) => s.get(key)),
    set: async (key, value) => void (await run('readwrite', (s) => s.put(value, key))),
    delete: async (key) => void (await run('readwrite', (s) => s.delete(key))),
    keys: async () => (await run('readonly', (s) => s.getAllKeys())).map(String),
    add: async (key, value) => run('readwrite', (s) => s.add(value, key)).then(() => true, (e: DOMException) => {
      if (e?.name === 'ConstraintError') return false;
      throw e;
    }),
  };
}

/** IndexedDB where the browser has it (entries survive a reload), memory elsewhere. */
export function defaultStore(): KeyValueStore {
  return typeof indexedDB !== 'undefined' ? indexedDbStore() : new MemoryStore();
}

/**
 * Runs `task` only if no other holder (another element, another tab of this origin) is sending the
 * same entry: Web Locks where the browser has them, and always within this page. Returns undefined
 * when the entry is busy elsewhere.
 */
const held = new Set<string>();
export async function withEntryLock<T>(id: string, task: () => Promise<T>): Promise<T | undefined> {
  if (held.has(id)) return undefined;
  held.add(id);
  try {
    const locks = (globalThis.navigator as (Navigator & { locks?: LockManager }) | undefined)?.locks;
    if (!locks) return await task();
    let result: T | undefined;
    await locks.request(`kbs-outbox:${id}`, { ifAvailable: true }, async (lock) => {
      if (lock) result = await task();
    });
    return result;
  } finally {
    held.delete(id);
  }
}

const KEY_NAME = '__key';
const ENTRY_PREFIX = 'entry:';

interface Sealed {
  iv: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
}

export class Outbox {
  private key?: Promise<CryptoKey>;
  constructor(
    private readonly store: KeyValueStore,
    private readonly subtle: SubtleCrypto = globalThis.crypto.subtle,
  ) {}

  private cryptoKey(): Promise<CryptoKey> {
    this.key ??= (async () => {
      const existing = (await this.store.get(KEY_NAME)) as CryptoKey | undefined;
      if (existing) return existing;
      const key = await this.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
      // Two elements (or tabs) starting at once must end up with one key, or one's entries could never be read.
      if (!this.store.add) {
        await this.store.set(KEY_NAME, key);
        return key;
      }
      if (await this.store.add(KEY_NAME, key)) return key;
      return (await this.store.get(KEY_NAME)) as CryptoKey;
    })();
    return this.key;
  }

  async put(entry: OutboxEntry): Promise<void> {
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(new ArrayBuffer(12)));
    const data = await this.subtle.encrypt({ name: 'AES-GCM', iv }, await this.cryptoKey(), new TextEncoder().encode(JSON.stringify(entry)));
    await this.store.set(`${ENTRY_PREFIX}${entry.id}`, { iv, data } satisfies Sealed);
  }

  async get(id: string): Promise<OutboxEntry | undefined> {
    const sealed = (await this.store.get(`${ENTRY_PREFIX}${id}`)) as Sealed | undefined;
    if (!sealed) return undefined;
    const plain = await this.subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv }, await this.cryptoKey(), sealed.data);
    return JSON.parse(new TextDecoder().decode(plain)) as OutboxEntry;
  }

  async list(): Promise<OutboxEntry[]> {
    const ids = (await this.store.keys()).filter((k) => k.startsWith(ENTRY_PREFIX)).map((k) => k.slice(ENTRY_PREFIX.length));
    const entries = await Promise.all(ids.map((id) => this.get(id).catch(() => undefined)));
    return entries.filter((e): e is OutboxEntry => !!e).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async remove(id: string): Promise<void> {
    await this.store.delete(`${ENTRY_PREFIX}${id}`);
  }
}
