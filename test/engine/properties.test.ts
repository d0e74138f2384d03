/**
 * Property-based: random questionnaires and random answer sequences never throw, and always give a
 * response that passes the R4 schema and Medplum's validation, and whose every item exists in the
 * questionnaire (at the same place in the tree).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  addRepeat, allPaths, buildQuestionnaireResponse, createFormState, loadQuestionnaire, nodeAt, removeRepeat, setAnswers,
  validateAnswers, type Answer, type FormState, type Questionnaire,
} from '../../src/engine/index.js';
import { medplumErrors, schemaErrors } from '../support/fhir-validation.js';

export const PROPERTY_RUNS = 300;

const QUESTION_TYPES = ['boolean', 'decimal', 'integer', 'date', 'dateTime', 'time', 'string', 'text', 'choice', 'open-choice', 'quantity'] as const;
type QuestionType = (typeof QUESTION_TYPES)[number];

const OPTIONS = [1, 2, 3].map((n) => ({ valueCoding: { system: 'http://example.org/cs', code: `c${n}`, display: `Option ${n}` } }));

/** Generates a valid questionnaire: every enableWhen points at an earlier boolean. */
const questionnaireArb: fc.Arbitrary<Questionnaire> = fc
  .array(
    fc.record({
      type: fc.constantFrom<QuestionType | 'group' | 'display'>(...QUESTION_TYPES, 'group', 'display'),
      repeats: fc.boolean(),
      required: fc.boolean(),
      depth: fc.nat(2),
      conditionOn: fc.option(fc.nat(), { nil: undefined }),
      operator: fc.constantFrom('=' as const, '!=' as const, 'exists' as const),
      expected: fc.boolean(),
      behavior: fc.constantFrom('any' as const, 'all' as const),
    }),
    { minLength: 1, maxLength: 14 },
  )
  .map((specs) => {
    const root: fhir4.QuestionnaireItem[] = [];
    const stack: fhir4.QuestionnaireItem[][] = [root];
    const booleans: string[] = [];
    specs.forEach((spec, i) => {
      const linkId = `q${i}`;
      const level = Math.min(spec.depth, stack.length - 1);
      stack.length = level + 1;
      const item: fhir4.QuestionnaireItem = { linkId, type: spec.type, text: `Item ${i}` };
      if (spec.type !== 'display') {
        if (spec.repeats) item.repeats = true;
        if (spec.required) item.required = true;
      }
      if (spec.type === 'choice' || spec.type === 'open-choice') item.answerOption = OPTIONS;
      if (spec.conditionOn !== undefined && booleans.length) {
        const question = booleans[spec.conditionOn % booleans.length]!;
        item.enableWhen = [spec.operator === 'exists'
          ? { question, operator: 'exists', answerBoolean: spec.expected }
          : { question, operator: spec.operator, answerBoolean: spec.expected }];
        item.enableBehavior = spec.behavior;
      }
      stack[level]!.push(item);
      if (spec.type === 'group') {
        item.item = [{ linkId: `${linkId}-leaf`, type: 'boolean', text: 'Leaf' }];
        booleans.push(`${linkId}-leaf`);
        stack.push(item.item);
      }
      if (spec.type === 'boolean') booleans.push(linkId);
    });
    return { resourceType: 'Questionnaire', status: 'active', url: 'https://example.org/Questionnaire/random', version: '1', item: root } as Questionnaire;
  });

function answerFor(type: string, n: number, text: string): Answer {
  switch (type) {
    case 'boolean': return { valueBoolean: n % 2 === 0 };
    case 'decimal': return { valueDecimal: n / 4 };
    case 'integer': return { valueInteger: n };
    case 'date': return { valueDate: `2024-0${(n % 9) + 1}-1${n % 9}` };
    case 'dateTime': return { valueDateTime: `2024-03-31T0${n % 9}:30:00+01:00` };
    case 'time': return { valueTime: `1${n % 9}:00:00` };
    case 'choice': return OPTIONS[Math.abs(n) % 3]!;
    case 'open-choice': return n % 2 ? OPTIONS[Math.abs(n) % 3]! : { valueString: text || 'other' };
    case 'quantity': return { valueQuantity: { value: n, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' } };
    default: return { valueString: text };
  }
}

const stepArb = fc.record({ kind: fc.constantFrom('answer', 'answer', 'answer', 'clear', 'add', 'remove'), pick: fc.nat(), n: fc.integer({ min: -50, max: 50 }), text: fc.string() });

function apply(state: FormState, step: { kind: string; pick: number; n: number; text: string }): FormState {
  const paths = allPaths(state);
  const path = paths[step.pick % paths.length];
  if (!path) return state;
  const node = nodeAt(state, path)!;
  switch (step.kind) {
    case 'answer': return setAnswers(state, path, [answerFor(node.item.type, step.n, step.text)]).state;
    case 'clear': return setAnswers(state, path, []).state;
    case 'add': {
      const group = paths.find((p) => nodeAt(state, p)?.item.repeats && nodeAt(state, p)?.item.type === 'group');
      if (!group) return state;
      const parent = group.includes('/') ? group.slice(0, group.lastIndexOf('/')) : undefined;
      return addRepeat(state, parent, nodeAt(state, group)!.item.linkId).state;
    }
    default: {
      const instance = paths.filter((p) => p.endsWith(']'))[step.pick % Math.max(1, paths.length)];
      return instance ? removeRepeat(state, instance).state : state;
    }
  }
}

/** Every response item's linkId chain exists in the questionnaire. */
function itemsExist(questionnaire: Questionnaire, response: fhir4.QuestionnaireResponse): boolean {
  const check = (qItems: fhir4.QuestionnaireItem[] | undefined, rItems: fhir4.QuestionnaireResponseItem[] | undefined): boolean =>
    (rItems ?? []).every((r) => {
      const q = qItems?.find((i) => i.linkId === r.linkId);
      return !!q && check(q.item, r.item) && (r.answer ?? []).every((a) => check(q.item, a.item));
    });
  return check(questionnaire.item, response.item);
}

describe('properties', () => {
  test('random questionnaires load cleanly', () => {
    fc.assert(fc.property(questionnaireArb, (q) => {
      expect(loadQuestionnaire(q).issues.filter((i) => i.severity === 'error')).toEqual([]);
    }), { numRuns: PROPERTY_RUNS });
  });

  test('random answer sequences never throw and always give a valid response', () => {
    fc.assert(
      fc.property(questionnaireArb, fc.array(stepArb, { maxLength: 25 }), fc.constantFrom('in-progress' as const, 'completed' as const), (q, steps, status) => {
        let state = createFormState(q);
        for (const step of steps) state = apply(state, step);
        validateAnswers(state);
        const response = buildQuestionnaireResponse(state, { status, identifier: '0f8fad5b-d9cb-469f-a165-70867728950e', subject: { reference: 'Patient/p' }, now: () => new Date('2024-03-31T00:30:00Z') });
        expect(schemaErrors(response)).toEqual([]);
        expect(medplumErrors(response)).toEqual([]);
        expect(itemsExist(q, response)).toBe(true);
        // What we write, we can read back to the same form.
        expect(buildQuestionnaireResponse(createFormState(q, { response }), { status, identifier: '0f8fad5b-d9cb-469f-a165-70867728950e', subject: { reference: 'Patient/p' }, now: () => new Date('2024-03-31T00:30:00Z') })).toEqual(response);
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  test('arbitrary JSON never makes the loader throw', () => {
    fc.assert(fc.property(fc.jsonValue(), (json) => {
      const candidate = typeof json === 'object' && json && !Array.isArray(json) ? { ...json, resourceType: 'Questionnaire' } : json;
      expect(() => loadQuestionnaire(candidate)).not.toThrow();
    }), { numRuns: PROPERTY_RUNS });
  });
});
