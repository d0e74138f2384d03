/** Item paths and the questionnaire index (table-driven; gaps found by mutation testing). */
import { describe, expect, test } from 'vitest';
import { resolveQuestionPaths } from '../../src/engine/paths.js';
import {
  addRepeat, createFormState, getExtension, indexQuestionnaire, isRepeatingGroup, linkIdOf, parentPathOf, pathsOf, SDC_CALCULATED_EXPRESSION,
  SDC_ENABLE_WHEN_EXPRESSION, type Questionnaire,
} from '../../src/engine/index.js';

describe('paths', () => {
  test.each<[string, string, string | undefined]>([
    ['a', 'a', undefined], ['g/a', 'a', 'g'], ['g[3]/h[4]/a', 'a', 'g[3]/h[4]'], ['g[12]', 'g', undefined], ['x/g[1]', 'g', 'x'],
  ])('%s: linkId %s, parent %s', (path, linkId, parent) => {
    expect(linkIdOf(path)).toBe(linkId);
    expect(parentPathOf(path)).toBe(parent);
  });

  test.each<[fhir4.QuestionnaireItem, boolean]>([
    [{ linkId: 'g', type: 'group', repeats: true }, true], [{ linkId: 'g', type: 'group' }, false], [{ linkId: 'q', type: 'string', repeats: true }, false],
  ])('isRepeatingGroup %j', (item, expected) => {
    expect(isRepeatingGroup(item)).toBe(expected);
  });

  test('getExtension finds by url, and copes with no element or no extensions', () => {
    expect(getExtension({ extension: [{ url: 'a', valueString: '1' }, { url: 'b', valueString: '2' }] }, 'b')?.valueString).toBe('2');
    expect(getExtension({}, 'b')).toBeUndefined();
    expect(getExtension(undefined, 'b')).toBeUndefined();
  });
});

describe('the index', () => {
  const q: Questionnaire = {
    resourceType: 'Questionnaire', status: 'active',
    item: [
      { linkId: 'a', type: 'boolean' },
      { linkId: 'b', type: 'string', enableWhen: [{ question: 'a', operator: '=', answerBoolean: true }, { question: 'a', operator: 'exists', answerBoolean: true }] },
      { linkId: 'c', type: 'string', enableWhen: [{ question: 'a', operator: '=', answerBoolean: false }] },
      { linkId: 'g', type: 'group', repeats: true, item: [{ linkId: 'x', type: 'integer', extension: [{ url: SDC_CALCULATED_EXPRESSION, valueExpression: { language: 'text/fhirpath', expression: '1' } }] }] },
      { linkId: 'e', type: 'display', extension: [{ url: SDC_ENABLE_WHEN_EXPRESSION, valueExpression: { language: 'text/fhirpath', expression: 'true' } }] },
    ],
  };
  test('dependants once each, expression items, nodes with their linkId trail and repeat flag', () => {
    const index = indexQuestionnaire(q);
    expect(index.dependants.get('a')).toEqual(['b', 'c']);
    expect(index.expressionItems).toEqual(['x', 'e']);
    expect(index.usesExpressions).toBe(true);
    expect(index.byLinkId.get('x')?.linkIds).toEqual(['g', 'x']);
    expect(index.byLinkId.get('x')?.repeats).toBe(true);
    expect(index.byLinkId.get('a')?.repeats).toBe(false);
    expect(index.byLinkId.get('g')?.repeats).toBe(true);
    expect(index.byLinkId.get('x')?.parent?.item.linkId).toBe('g');
    expect(index.roots.map((r) => r.item.linkId)).toEqual(['a', 'b', 'c', 'g', 'e']);
    expect(indexQuestionnaire({ resourceType: 'Questionnaire', status: 'active', item: [{ linkId: 'a', type: 'string' }] }).usesExpressions).toBe(false);
  });

  test('a duplicate linkId keeps the first node', () => {
    const index = indexQuestionnaire({ resourceType: 'Questionnaire', status: 'active', item: [{ linkId: 'a', type: 'string', text: 'first' }, { linkId: 'a', type: 'string', text: 'second' }] });
    expect(index.byLinkId.get('a')?.item.text).toBe('first');
  });
});

describe('which instance an enableWhen reads', () => {
  const q: Questionnaire = {
    resourceType: 'Questionnaire', status: 'active',
    item: [
      { linkId: 'top', type: 'boolean' },
      { linkId: 'g', type: 'group', repeats: true, item: [{ linkId: 'smokes', type: 'boolean' }, { linkId: 'h', type: 'group', repeats: true, item: [{ linkId: 'deep', type: 'boolean' }] }] },
      { linkId: 'after', type: 'boolean' },
    ],
  };
  const state = addRepeat(createFormState(q), undefined, 'g').state; // g[0] (with h[1]) and g[2] (with h[3])
  const node = (linkId: string) => state.index.byLinkId.get(linkId)!;

  test.each<[string, string, string[]]>([
    ['from inside g[0], its own instance', 'g[0]/smokes', ['g[0]/smokes']],
    ['from inside g[2], its own instance', 'g[2]/smokes', ['g[2]/smokes']],
    ['from a nested instance, its enclosing g', 'g[2]/h[3]/deep', ['g[2]/smokes']],
    ['from outside the group, every instance', 'after', ['g[0]/smokes', 'g[2]/smokes']],
  ])('%s', (_name, from, expected) => {
    expect(resolveQuestionPaths(state, from, node('smokes'))).toEqual(expected);
  });

  test('a question outside any repeat has one path wherever it is read from', () => {
    expect(resolveQuestionPaths(state, 'g[2]/smokes', node('top'))).toEqual(['top']);
    expect(pathsOf(state, node('deep'))).toEqual(['g[0]/h[1]/deep', 'g[2]/h[3]/deep']);
  });
});
