/**
 * A gateway that loads the real one (this folder's gateway.ts, fhir-kit-client, the write protocol
 * and the outbox) on first use, after the page's first paint: a form is on screen and usable before
 * the network code has even been fetched. Every call waits for the real gateway, then goes to it;
 * `onResult` listeners are held here and joined to it once it exists.
 *
 * Conventions: this module imports nothing of gateway.ts but its types, so a bundle that starts
 * here carries none of it; the components build their default gateway through it.
 */
import type { GatewayOptions, KbsGateway, SubmitResult } from './gateway.js';

export interface LazyGatewayOptions extends Omit<GatewayOptions, 'conceptMaps'> {
  /** The ConceptMaps, loaded with the gateway (they are needed only to write). */
  conceptMaps?: () => Promise<fhir4.ConceptMap[]>;
}

/** After the next frame has been painted (or soon, where frames do not run: a background tab, Node). */
export function afterNextPaint(): Promise<void> {
  const frame = globalThis.requestAnimationFrame;
  return new Promise((resolve) => {
    const soon = setTimeout(resolve, 100);
    frame?.(() => setTimeout(() => {
      clearTimeout(soon);
      resolve();
    }, 0));
  });
}

export function createLazyFhirGateway(options: LazyGatewayOptions): KbsGateway {
  const listeners = new Set<(result: SubmitResult) => void>();
  let real: Promise<KbsGateway> | undefined;
  const gateway = () => (real ??= afterNextPaint()
    .then(() => Promise.all([import('./gateway.js'), options.conceptMaps?.() ?? []]))
    .then(([{ createFhirGateway }, conceptMaps]) => {
      const { conceptMaps: _lazy, ...rest } = options;
      const created = createFhirGateway({ ...rest, conceptMaps });
      created.onResult((result) => listeners.forEach((listener) => listener(result)));
      return created;
    })
    .catch((error: unknown) => {
      real = undefined; // a chunk that could not be fetched (offline) is asked for again next time
      throw error;
    }));
  return {
    resolvePatient: async (query) => (await gateway()).resolvePatient(query),
    resolveMother: async (baby) => (await gateway()).resolveMother(baby),
    loadQuestionnaire: async (canonical, bundled) => (await gateway()).loadQuestionnaire(canonical, bundled),
    saveDraft: async (questionnaire, response) => (await gateway()).saveDraft(questionnaire, response),
    submit: async (input) => (await gateway()).submit(input),
    flushOutbox: async () => (await gateway()).flushOutbox(),
    pending: async () => (await gateway()).pending(),
    enquiryRecord: async (mother, url) => (await gateway()).enquiryRecord(mother, url),
    openFollowUps: async (query) => (await gateway()).openFollowUps(query),
    query: async (search) => (await gateway()).query!(search),
    expandValueSet: async (canonical) => (await gateway()).expandValueSet!(canonical),
    onResult(listener) {
      // Held until the real gateway exists: listening alone does not load it (the first call does).
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
