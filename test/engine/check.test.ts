import { describe, expect, test } from 'vitest';
import { loadExpressionSupport, loadQuestionnaire, prepareQuestionnaire, SDC_CALCULATED_EXPRESSION } from '../../src/engine/index.js';

const base = { resourceType: 'Questionnaire', status: 'active' };
const codes = (json: unknown, evaluator?: Parameters<typeof loadQuestionnaire>[1]) =>
  loadQuestionnaire(json, evaluator).issues.map((i) => [i.code, i.location]);

const MESSAGES: Record<string, string> = {
  'not a Questionnaire': 'is not a FHIR Questionnaire (resourceType must be "Questionnaire")',
  null: 'is not a FHIR Questionnaire (resourceType must be "Questionnaire")',
  'bad status': 'Questionnaire.status is "final", which FHIR R4 does not allow here. Fix: use one of "draft", "active", "retired", "unknown".',
  'unknown property': 'Questionnaire.item[0] has a property "colour" that FHIR R4 does not define here. Fix: remove it, check its spelling, or carry the data in an extension.',
  'duplicate linkId': 'linkId "a" is used more than once (also at Questionnaire.item[0])',
  'enableWhen names a missing question': 'enableWhen refers to question "zz", which is not in this questionnaire',
  'enableWhen answer type does not fit': 'enableWhen on "b" (type boolean) cannot use answerString',
  'exists without answerBoolean': 'enableWhen with operator "exists" needs answerBoolean',
  'answerOption on a string item': 'answerOption is only allowed on choice and open-choice items, not "string"',
  'mixed answerOption types': 'answerOption values of "a" must all be of one type',
  'display item with answers': 'display item "a" cannot be required, repeat, or have answers',
  'display item with children': 'display item "a" cannot contain items',
  'empty group': 'group "g" has no items',
  'enableWhen cycle': 'enableWhen conditions form a cycle: a → b → a',
  'unsupported type is a warning': 'item type "attachment" is not supported yet; it will show as a notice',
};

describe('loading a Questionnaire', () => {
  test.each<[string, unknown, [string, string][]]>([
    ['not JSON', '{"resourceType": "Questionnaire",', [['schema', 'Questionnaire']]],
    ['not a Questionnaire', { resourceType: 'Patient' }, [['schema', 'Questionnaire']]],
    ['null', null, [['schema', 'Questionnaire']]],
    ['bad status', { ...base, status: 'final' }, [['schema', 'Questionnaire.status']]],
    ['linkId not a string', { ...base, item: [{ linkId: 7, type: 'string' }] }, [['schema', 'Questionnaire.item[0].linkId']]],
    ['item type outside R4', { ...base, item: [{ linkId: 'a', type: 'slider' }] }, [['schema', 'Questionnaire.item[0].type']]],
    ['unknown property', { ...base, item: [{ linkId: 'a', type: 'string', colour: 'red' }] }, [['schema', 'Questionnaire.item[0]']]],
    ['duplicate linkId', { ...base, item: [{ linkId: 'a', type: 'string' }, { linkId: 'g', type: 'group', item: [{ linkId: 'a', type: 'string' }] }] },
      [['duplicate-link-id', 'Questionnaire.item[1].item[0]']]],
    ['enableWhen names a missing question', { ...base, item: [{ linkId: 'a', type: 'string', enableWhen: [{ question: 'zz', operator: 'exists', answerBoolean: true }] }] },
      [['unknown-question', 'Questionnaire.item[0].enableWhen[0]']]],
    ['enableWhen answer type does not fit', { ...base, item: [{ linkId: 'b', type: 'boolean' }, { linkId: 'a', type: 'string', enableWhen: [{ question: 'b', operator: '=', answerString: 'yes' }] }] },
      [['answer-type-mismatch', 'Questionnaire.item[1].enableWhen[0]']]],
    ['exists without answerBoolean', { ...base, item: [{ linkId: 'b', type: 'string' }, { linkId: 'a', type: 'string', enableWhen: [{ question: 'b', operator: 'exists', answerString: 'x' }] }] },
      [['answer-type-mismatch', 'Questionnaire.item[1].enableWhen[0]']]],
    ['answerOption on a string item (R4 allows it)', { ...base, item: [{ linkId: 'a', type: 'string', answerOption: [{ valueString: 'x' }] }] }, []],
    ['answerOption on a boolean item (R4 que-5 forbids it)', { ...base, item: [{ linkId: 'a', type: 'boolean', answerOption: [{ valueString: 'x' }] }] },
      [['option-type-mismatch', 'Questionnaire.item[0]']]],
    ['mixed answerOption types (R4 allows them)', { ...base, item: [{ linkId: 'a', type: 'choice', answerOption: [{ valueString: 'x' }, { valueInteger: 1 }] }] }, []],
    ['an answerOption with no value', { ...base, item: [{ linkId: 'a', type: 'choice', answerOption: [{ valueString: 'x' }, { extension: [] }] }] },
      [['option-type-mismatch', 'Questionnaire.item[0].answerOption[1]']]],
    ['display item with answers', { ...base, item: [{ linkId: 'a', type: 'display', text: 't', required: true }] },
      [['display-has-answers', 'Questionnaire.item[0]']]],
    ['display item with children', { ...base, item: [{ linkId: 'a', type: 'display', text: 't', item: [{ linkId: 'b', type: 'string' }] }] },
      [['display-has-answers', 'Questionnaire.item[0]']]],
    ['empty group', { ...base, item: [{ linkId: 'g', type: 'group' }] }, [['empty-group', 'Questionnaire.item[0]']]],
    ['enableWhen cycle', { ...base, item: [
      { linkId: 'a', type: 'boolean', enableWhen: [{ question: 'b', operator: '=', answerBoolean: true }] },
      { linkId: 'b', type: 'boolean', enableWhen: [{ question: 'a', operator: '=', answerBoolean: true }] }] },
      [['cycle', 'Questionnaire.item[0]']]],
    ['unsupported type is a warning', { ...base, item: [{ linkId: 'a', type: 'attachment' }] }, [['unsupported-type', 'Questionnaire.item[0]']]],
  ])('%s', (_name, json, expected) => {
    expect(codes(json)).toEqual(expected);
    // The words a content author reads (pinned: mutation testing showed any message could change unnoticed).
    if (MESSAGES[_name]) expect(loadQuestionnaire(json).issues.map((i) => i.message)).toEqual([MESSAGES[_name]]);
  });

  test('an unsupported type is a warning: the questionnaire still loads', () => {
    const result = loadQuestionnaire({ ...base, item: [{ linkId: 'a', type: 'attachment' }] });
    expect(result.questionnaire).toBeDefined();
    expect(result.issues[0]?.severity).toBe('warning');
  });

  test('errors come with readable messages and no questionnaire', () => {
    const result = loadQuestionnaire({ ...base, item: [{ linkId: 'a', type: 'string', enableWhen: [{ question: 'zz', operator: 'exists', answerBoolean: true }] }] });
    expect(result.questionnaire).toBeUndefined();
    expect(result.issues[0]?.message).toBe('enableWhen refers to question "zz", which is not in this questionnaire');
  });

  test('a FHIRPath expression that does not parse is reported', async () => {
    const evaluator = await loadExpressionSupport();
    const json = {
      ...base,
      item: [{ linkId: 'a', type: 'integer', extension: [{ url: SDC_CALCULATED_EXPRESSION, valueExpression: { language: 'text/fhirpath', expression: '1 +* (' } }] }],
    };
    expect(codes(json, evaluator)).toEqual([['bad-expression', 'Questionnaire.item[0].extension[0]']]);
  });

  test('not JSON says so, with the parser\'s reason', () => {
    expect(loadQuestionnaire('{"resourceType": "Questionnaire",').issues[0]?.message).toMatch(/^not valid JSON: \S/);
  });

  test('a missing required property is named', () => {
    expect(loadQuestionnaire({ ...base, text: { status: 'generated' } }).issues.map((i) => [i.location, i.message]))
      .toEqual([['Questionnaire.text', 'Questionnaire.text is missing "div", which FHIR R4 requires. Fix: add it.']]);
  });

  test('a JSON string is parsed, then checked', () => {
    const result = loadQuestionnaire(JSON.stringify({ ...base, item: [{ linkId: 'a', type: 'string' }] }));
    expect(result.issues).toEqual([]);
    expect(result.questionnaire?.item?.[0]?.linkId).toBe('a');
  });

  test('the same schema error is reported once', () => {
    const issues = loadQuestionnaire({ ...base, status: 'final' }).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toEqual({ severity: 'error', location: 'Questionnaire.status', code: 'schema', message: MESSAGES['bad status'] });
  });

  // A display item may carry none of these; each is reported on its own.
  test.each<[string, Partial<fhir4.QuestionnaireItem>]>([
    ['required', { required: true }],
    ['repeats', { repeats: true }],
    ['answerOption', { answerOption: [{ valueString: 'x' }] }],
    ['initial', { initial: [{ valueString: 'x' }] }],
    ['answerValueSet', { answerValueSet: 'http://example.org/vs' }],
  ])('a display item with %s is refused', (_name, extra) => {
    const issues = loadQuestionnaire({ ...base, item: [{ linkId: 'a', type: 'display', text: 't', ...extra }] }).issues;
    expect(issues.map((i) => i.code)).toContain('display-has-answers');
    expect(issues.every((i) => i.severity === 'error' && i.linkId === 'a')).toBe(true);
  });

  test('a display item with text only, and a group with items, load clean', () => {
    expect(codes({ ...base, item: [{ linkId: 'd', type: 'display', text: 't' }, { linkId: 'g', type: 'group', item: [{ linkId: 'x', type: 'string' }] }] })).toEqual([]);
  });

  test('answerOption of one type on choice and open-choice loads clean', () => {
    for (const type of ['choice', 'open-choice']) {
      expect(codes({ ...base, item: [{ linkId: 'a', type, answerOption: [{ valueCoding: { code: 'x' } }, { valueCoding: { code: 'y' } }] }] })).toEqual([]);
    }
  });

  // enableWhen answer[x] that fits each question type (R4: the answer must be of the question's type;
  // choice questions compare codings, or a string/integer/date/time/reference option value).
  const whenOn = (type: string, answer: Record<string, unknown>, operator = '=') => ({
    ...base,
    item: [
      { linkId: 'q', type, ...(type === 'choice' || type === 'open-choice' ? { answerOption: [{ valueCoding: { code: 'x' } }] } : {}) },
      { linkId: 'd', type: 'string', enableWhen: [{ question: 'q', operator, ...answer }] },
    ],
  });
  test.each<[string, Record<string, unknown>]>([
    ['boolean', { answerBoolean: true }],
    ['decimal', { answerDecimal: 1.5 }], ['decimal', { answerInteger: 1 }],
    ['integer', { answerInteger: 1 }], ['integer', { answerDecimal: 1.5 }],
    ['date', { answerDate: '2024-01-01' }], ['date', { answerDateTime: '2024-01-01T00:00:00Z' }],
    ['dateTime', { answerDateTime: '2024-01-01T00:00:00Z' }], ['dateTime', { answerDate: '2024-01-01' }],
    ['time', { answerTime: '10:00:00' }],
    ['string', { answerString: 'x' }], ['text', { answerString: 'x' }], ['url', { answerString: 'http://x' }],
    ['choice', { answerCoding: { code: 'x' } }], ['choice', { answerString: 'x' }], ['choice', { answerInteger: 1 }],
    ['choice', { answerDate: '2024-01-01' }], ['choice', { answerTime: '10:00:00' }], ['choice', { answerReference: { reference: 'Patient/1' } }],
    ['open-choice', { answerCoding: { code: 'x' } }], ['open-choice', { answerString: 'x' }], ['open-choice', { answerInteger: 1 }],
    ['open-choice', { answerDate: '2024-01-01' }], ['open-choice', { answerTime: '10:00:00' }], ['open-choice', { answerReference: { reference: 'Patient/1' } }],
    ['quantity', { answerQuantity: { value: 1 } }],
    ['reference', { answerReference: { reference: 'Patient/1' } }],
  ])('enableWhen on a %s question may use %j', (type, answer) => {
    expect(codes(whenOn(type, answer))).toEqual([]);
  });
  test.each<[string, Record<string, unknown>]>([
    ['boolean', { answerString: 'true' }], ['decimal', { answerString: '1' }], ['integer', { answerBoolean: true }],
    ['date', { answerTime: '10:00:00' }], ['dateTime', { answerTime: '10:00:00' }], ['time', { answerDate: '2024-01-01' }],
    ['string', { answerCoding: { code: 'x' } }], ['text', { answerInteger: 1 }], ['url', { answerBoolean: true }],
    ['choice', { answerBoolean: true }], ['open-choice', { answerQuantity: { value: 1 } }],
    ['quantity', { answerDecimal: 1 }], ['reference', { answerString: 'Patient/1' }], ['attachment', { answerString: 'x' }],
  ])('enableWhen on a %s question may not use %j', (type, answer) => {
    expect(codes(whenOn(type, answer)).map(([code]) => code)).toContain('answer-type-mismatch');
  });
  test('exists with answerBoolean fits any question type', () => {
    expect(codes(whenOn('string', { answerBoolean: true }, 'exists'))).toEqual([]);
  });

  test('an enableWhen condition without an answer[x] is named as such', () => {
    const issues = loadQuestionnaire(whenOn('boolean', {})).issues;
    expect(issues.some((i) => i.message === 'enableWhen on "q" (type boolean) cannot use no answer')).toBe(true);
  });

  test('a cycle is found through a chain, and an acyclic chain is not a cycle', () => {
    const chain = (cyclic: boolean) => ({
      ...base,
      item: [
        { linkId: 'a', type: 'boolean', ...(cyclic ? { enableWhen: [{ question: 'c', operator: '=', answerBoolean: true }] } : {}) },
        { linkId: 'b', type: 'boolean', enableWhen: [{ question: 'a', operator: '=', answerBoolean: true }] },
        { linkId: 'c', type: 'boolean', enableWhen: [{ question: 'b', operator: '=', answerBoolean: true }] },
        { linkId: 'd', type: 'boolean', enableWhen: [{ question: 'b', operator: '=', answerBoolean: true }, { question: 'c', operator: '=', answerBoolean: true }] },
      ],
    });
    expect(codes(chain(false))).toEqual([]);
    expect(loadQuestionnaire(chain(true)).issues.map((i) => [i.code, i.message])).toEqual([['cycle', 'enableWhen conditions form a cycle: a → c → b → a']]);
  });

  test('expressions that parse are not reported; without an evaluator none are checked', async () => {
    const evaluator = await loadExpressionSupport();
    const withExpression = (expression: string) => ({
      ...base,
      item: [{ linkId: 'a', type: 'integer', extension: [{ url: SDC_CALCULATED_EXPRESSION, valueExpression: { language: 'text/fhirpath', expression } }] }],
    });
    expect(codes(withExpression('1 + 1'), evaluator)).toEqual([]);
    expect(codes(withExpression('1 +* ('))).toEqual([]);
    const [issue] = loadQuestionnaire(withExpression('1 +* ('), evaluator).issues;
    expect(issue?.message).toMatch(/^FHIRPath expression does not parse: 1 \+\* \( \(\S[^\n]*\)$/);
  });

  test('prepareQuestionnaire loads FHIRPath only for questionnaires that use it', async () => {
    const plain = await prepareQuestionnaire({ ...base, item: [{ linkId: 'a', type: 'string' }] });
    expect(plain.evaluator).toBeUndefined();
    expect(plain.questionnaire).toBeDefined();
    const withExpression = await prepareQuestionnaire({
      ...base,
      item: [{ linkId: 'a', type: 'integer', extension: [{ url: SDC_CALCULATED_EXPRESSION, valueExpression: { language: 'text/fhirpath', expression: '1 +* (' } }] }],
    });
    expect(withExpression.evaluator).toBeDefined();
    expect(withExpression.issues.map((i) => i.code)).toEqual(['bad-expression']);
  });
});
