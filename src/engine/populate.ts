/**
 * SDC population, the form filler's side of `$populate`: the launch context a questionnaire
 * declares, its `x-fhir-query` variables (queries the gateway runs against the record), and the
 * answers or suggestions its `initialExpression`s compute from them.
 *
 * Pure: the queries are returned as strings for the caller to run, and their results come back in
 * as resources. An item carrying the KBS `suggest-only` extension never gets an answer this way:
 * what the record says becomes a suggestion, shown with its source, and the clinician chooses.
 */
import { KBS_SUGGEST_ONLY, KBS_SUGGESTION_SOURCE, SDC_INITIAL_EXPRESSION, SDC_LAUNCH_CONTEXT, SDC_VARIABLE } from './constants.js';
import { buildScope, safeEvaluate } from './expressions.js';
import { getExtension, pathsOf } from './paths.js';
import { toAnswers } from './form-state.js';
import { toQuestionnaireResponse } from './response.js';
import type { FormState, Issue, ItemPath, Questionnaire, Suggestion } from './types.js';


const X_FHIR_QUERY = 'application/x-fhir-query';
/** A search on one resource type of the same server: no absolute URLs, no operations, no paths. */
export function isPlainSearch(query: string): boolean {
  return /^[A-Z][A-Za-z]{1,63}\?[^#\s]*$/.test(query);
}

export interface PopulationQuery {
  /** The variable the result is bound to (`%name` in expressions). */
  name: string;
  /** The search, relative to the FHIR base, with every `{{ }}` filled in. */
  query: string;
}

/** Launch context names a questionnaire declares (`patient`, `encounter`, `user`, …). */
export function launchContextNames(questionnaire: Questionnaire): string[] {
  return (questionnaire.extension ?? [])
    .filter((e) => e.url === SDC_LAUNCH_CONTEXT)
    .map((e) => e.extension?.find((x) => x.url === 'name'))
    .map((n) => n?.valueCoding?.code ?? n?.valueId ?? n?.valueString)
    .filter((n): n is string => !!n);
}

/** The `x-fhir-query` variables declared on the questionnaire, in order. */
export function fhirQueryVariables(questionnaire: Questionnaire): fhir4.Expression[] {
  return (questionnaire.extension ?? [])
    .filter((e) => e.url === SDC_VARIABLE && e.valueExpression?.language === X_FHIR_QUERY && e.valueExpression.name && e.valueExpression.expression)
    .map((e) => e.valueExpression!);
}

/** Whether anything about this questionnaire asks to be populated from the record. */
export function needsPopulation(questionnaire: Questionnaire): boolean {
  return fhirQueryVariables(questionnaire).length > 0;
}

/**
 * The queries to run, with their `{{FHIRPath}}` parts filled in from the launch context. A query
 * whose parts have no value, or that is not a plain search of this server, is left out with a warning.
 */
export function populationQueries(state: FormState): { queries: PopulationQuery[]; issues: Issue[] } {
  const queries: PopulationQuery[] = [];
  const issues: Issue[] = [];
  const declared = new Set(launchContextNames(state.questionnaire));
  for (const name of declared) {
    if (state.context[name] === undefined) {
      issues.push({ severity: 'warning', location: 'Questionnaire.extension (launchContext)', code: 'population', message: `declares the launch context "${name}", which was not given; what depends on it stays empty` });
    }
  }
  const scope = buildScope(state, toQuestionnaireResponse(state));
  for (const variable of fhirQueryVariables(state.questionnaire)) {
    const missing: string[] = [];
    const query = variable.expression!.replace(/\{\{(.+?)\}\}/g, (_all, expression: string) => {
      const value = safeEvaluate(state, expression.trim(), scope.resource, scope.environment)[0];
      if (value === undefined || value === null || typeof value === 'object') {
        missing.push(expression.trim());
        return '';
      }
      return encodeURIComponent(String(value));
    });
    const where = `Questionnaire.extension (variable "${variable.name}")`;
    if (missing.length) {
      issues.push({ severity: 'warning', location: where, code: 'population', message: `${missing.join(', ')} has no value, so the query was not run` });
    } else if (!isPlainSearch(query)) {
      issues.push({ severity: 'warning', location: where, code: 'population', message: `"${query}" is not a search of one resource type on this server (Type?params), so it was not run` });
    } else {
      queries.push({ name: variable.name!, query });
    }
  }
  return { queries, issues };
}

/**
 * The state once the query results are in: they join the launch context (so every expression sees
 * them), initialExpressions fill items that have no answer yet, and `suggest-only` items get a
 * suggestion instead. `results` holds one Bundle (or nothing, if the query failed) per variable.
 */
export function applyPopulation(state: FormState, results: Readonly<Record<string, fhir4.Resource | undefined>>): FormState {
  const context = { ...state.context };
  for (const [name, resource] of Object.entries(results)) context[name] = resource ?? { resourceType: 'Bundle', type: 'searchset', entry: [] };
  const next: FormState = { ...state, context };
  const scope = buildScope(next, toQuestionnaireResponse(next));
  const answers = new Map(next.answers);
  const suggestions = new Map<ItemPath, Suggestion>();
  for (const node of next.index.byLinkId.values()) {
    const expression = getExtension(node.item, SDC_INITIAL_EXPRESSION)?.valueExpression?.expression;
    if (!expression) continue;
    const values = toAnswers(node, safeEvaluate(next, expression, scope.resource, scope.environment));
    if (!values.length) continue;
    const suggestOnly = getExtension(node.item, KBS_SUGGEST_ONLY)?.valueBoolean === true;
    const sourceExpression = getExtension(node.item, KBS_SUGGESTION_SOURCE)?.valueExpression?.expression;
    const source = sourceExpression
      ? safeEvaluate(next, sourceExpression, scope.resource, scope.environment).filter((s): s is string => typeof s === 'string' && s.length > 0)
      : [];
    for (const path of pathsOf(next, node)) {
      if (suggestOnly) suggestions.set(path, { answers: values, source });
      else if (!answers.has(path)) answers.set(path, values);
    }
  }
  return { ...next, answers, suggestions };
}
