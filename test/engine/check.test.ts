import { describe, expect, test } from 'vitest';
import { loadExpressionSupport, loadQuestionnaire, SDC_CALCULATED_EXPRESSION } from '../../src/engine/index.js';

const base = { resourceType: 'Questionnaire', status: 'active' };
const codes = (json: unknown, evaluator?: Parameters<typeof loadQuestionnaire>[1]) =>
  loadQuestionnaire(json, evaluator).issues.map((i) => [i.code, i.location]);

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
});
