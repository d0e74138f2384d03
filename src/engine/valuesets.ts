/**
 * `answerValueSet` without a terminology server: a ValueSet contained in the Questionnaire
 * (`#id`) or handed over by the integrator gives its codes from its expansion, or, when it has
 * none, from the concepts its compose lists one by one. Anything else (filters, other ValueSets,
 * whole code systems) needs a terminology server, so it is reported as not resolved rather than
 * shown as an empty list.
 */
import type { Coding, Issue, Questionnaire } from './types.js';

/** Resolves an `answerValueSet` canonical to its codes; undefined when it cannot. */
export type ValueSetResolver = (canonical: string) => Coding[] | undefined;

/** The codes of a ValueSet, or undefined when they cannot be known without a terminology server. */
export function codingsOfValueSet(valueSet: fhir4.ValueSet): Coding[] | undefined {
  if (valueSet.expansion?.contains) {
    const out: Coding[] = [];
    const walk = (entries: fhir4.ValueSetExpansionContains[] | undefined) => {
      for (const entry of entries ?? []) {
        if (entry.code && !entry.abstract && !entry.inactive) {
          out.push({ ...(entry.system ? { system: entry.system } : {}), ...(entry.version ? { version: entry.version } : {}), code: entry.code, ...(entry.display ? { display: entry.display } : {}) });
        }
        walk(entry.contains);
      }
    };
    walk(valueSet.expansion.contains);
    return out;
  }
  const include = valueSet.compose?.include ?? [];
  if (!include.length || valueSet.compose?.exclude?.length) return undefined;
  if (include.some((i) => !i.concept?.length || i.filter?.length || i.valueSet?.length)) return undefined;
  return include.flatMap((i) =>
    i.concept!.map((c) => ({ ...(i.system ? { system: i.system } : {}), ...(i.version ? { version: i.version } : {}), code: c.code, ...(c.display ? { display: c.display } : {}) })),
  );
}

/** The ValueSet an `answerValueSet` names: `#id` among the contained resources, else by url (and version). */
export function findValueSet(questionnaire: Questionnaire, valueSets: readonly fhir4.ValueSet[], canonical: string): fhir4.ValueSet | undefined {
  const contained = (questionnaire.contained ?? []).filter((r): r is fhir4.ValueSet => r.resourceType === 'ValueSet');
  if (canonical.startsWith('#')) return contained.find((v) => v.id === canonical.slice(1));
  const [url, version] = canonical.split('|');
  return [...contained, ...valueSets].find((v) => v.url === url && (!version || v.version === version));
}

/** A resolver over the questionnaire's contained ValueSets and the given ones, then `fallback`. */
export function createValueSetResolver(
  questionnaire: Questionnaire,
  valueSets: readonly fhir4.ValueSet[] = [],
  fallback?: ValueSetResolver,
): ValueSetResolver {
  const cache = new Map<string, Coding[] | undefined>();
  return (canonical) => {
    if (!cache.has(canonical)) {
      const found = findValueSet(questionnaire, valueSets, canonical);
      cache.set(canonical, (found ? codingsOfValueSet(found) : undefined) ?? fallback?.(canonical));
    }
    return cache.get(canonical);
  };
}

/** Every `answerValueSet` canonical the questionnaire uses, in order, once each. */
export function answerValueSetsOf(questionnaire: Questionnaire): string[] {
  const out = new Set<string>();
  const walk = (items: fhir4.QuestionnaireItem[] | undefined) => {
    for (const item of items ?? []) {
      if (item.answerValueSet && !item.answerOption?.length) out.add(item.answerValueSet);
      walk(item.item);
    }
  };
  walk(questionnaire.item);
  return [...out];
}

/**
 * A warning for every choice question whose options cannot be known (the form shows a notice in
 * their place), so the integrator hears of it; the clinician sees only the notice.
 */
export function unresolvedValueSetIssues(questionnaire: Questionnaire, resolve: ValueSetResolver): Issue[] {
  const issues: Issue[] = [];
  const walk = (items: fhir4.QuestionnaireItem[] | undefined, base: string) =>
    (items ?? []).forEach((item, i) => {
      const location = `${base}.item[${i}]`;
      if (item.answerValueSet && !item.answerOption?.length && !resolve(item.answerValueSet)?.length) {
        issues.push({
          severity: 'warning', location: `${location}.answerValueSet`, linkId: item.linkId, code: 'value-set-not-resolved',
          message: item.answerValueSet.startsWith('#')
            ? `"${item.linkId}" names the contained ValueSet ${item.answerValueSet}, which is not in Questionnaire.contained or lists no codes. Fix: add it there with an expansion or compose.include.concept.`
            : `the options of "${item.linkId}" (answerValueSet ${item.answerValueSet}) could not be loaded: the question shows a notice instead. Fix: pass the ValueSet (with an expansion) in the element's valueSets, or supply a valueSetResolver that expands it.`,
        });
      }
      walk(item.item, location);
    });
  walk(questionnaire.item, 'Questionnaire');
  return issues;
}
