/**
 * The outbox: a submission is written here before it is sent and removed only when the server has
 * confirmed it, so a failure, a closed tab or a reload never loses it. Entries are encrypted at rest
 * with AES-GCM under a non-extractable WebCrypto key (the key can be used by this origin's code but
 * never read out), so domestic abuse content is never in browser storage in clear text.
 */
export interface OutboxEntry {
  /** The response's UUID: one entry per form instance. */
  id: string;
  bundle: fhir4.Bundle;
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
  };
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
      await this.store.set(KEY_NAME, key);
      return key;
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
