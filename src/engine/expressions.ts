/**
 * SDC expressions through FHIRPath: enableWhenExpression, calculatedExpression, initialExpression
 * and variable. The `fhirpath` package is loaded only for questionnaires that use expressions
 * (`loadExpressionSupport`), so the plain templates never pay for it.
 */
import { SDC_VARIABLE } from './constants.js';
import type { ExpressionEvaluator, FormState, Questionnaire, QuestionnaireResponse } from './types.js';

/** What an expression sees: %resource, %questionnaire, %context, launch context and variables. */
export interface ExpressionScope {
  resource: QuestionnaireResponse;
  environment: Record<string, unknown>;
}

/** Loads fhirpath and its R4 model; call only when `index.usesExpressions` says so. */
export async function loadExpressionSupport(): Promise<ExpressionEvaluator> {
  const [fhirpath, model] = await Promise.all([import('fhirpath'), import('fhirpath/fhir-context/r4/index.js')]);
  const fp = ((fhirpath as unknown as { default?: typeof fhirpath }).default ?? fhirpath) as typeof fhirpath;
  const r4 = (model as { default?: unknown }).default ?? model;
  return {
    evaluate(expression, resource, environment) {
      return fp.evaluate(resource as object, expression, environment, r4 as never) as unknown[];
    },
    parse(expression) {
      fp.parse(expression);
    },
  };
}

/** Builds the scope once per change; variables are evaluated in order, each seeing the ones before. */
export function buildScope(state: FormState, resource: QuestionnaireResponse): ExpressionScope {
  const environment: Record<string, unknown> = {
    resource,
    questionnaire: state.questionnaire,
    context: resource,
    ...state.context,
  };
  for (const variable of variablesOf(state.questionnaire)) {
    if (!variable.name || !variable.expression || variable.language !== 'text/fhirpath') continue;
    environment[variable.name] = safeEvaluate(state, variable.expression, resource, environment);
  }
  return { resource, environment };
}

function variablesOf(questionnaire: Questionnaire): fhir4.Expression[] {
  return (questionnaire.extension ?? []).filter((e) => e.url === SDC_VARIABLE).map((e) => e.valueExpression ?? {} as fhir4.Expression);
}

/** Evaluates; a runtime failure of an expression yields no value rather than breaking the form. */
export function safeEvaluate(state: FormState, expression: string, resource: unknown, environment: Record<string, unknown>): unknown[] {
  if (!state.evaluator) return [];
  try {
    return state.evaluator.evaluate(expression, resource, environment);
  } catch {
    return [];
  }
}

export function evaluateBoolean(state: FormState, scope: ExpressionScope, expression: string): boolean | undefined {
  const result = safeEvaluate(state, expression, scope.resource, scope.environment);
  return typeof result[0] === 'boolean' ? result[0] : undefined;
}
