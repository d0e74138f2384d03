/**
 * Identity by linkId: whatever characters a linkId holds (LHC-Forms writes `/8302-2`), every item
 * has its own path, its required check runs, and its answers round-trip through a response.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  addRepeat, allPaths, buildQuestionnaireResponse, createFormState, getRepeatPaths, itemPath, linkIdOf, loadQuestionnaire, nodeAt,
  pathsOf, removeRepeat, setAnswer, validateAnswers, type FormState, type Questionnaire,
} from '../../src/engine/index.js';

const meta = { status: 'completed' as const, identifier: '00000000-0000-4000-8000-000000000000', now: () => new Date('2026-01-01T12:00:00Z') };

const q = (item: fhir4.QuestionnaireItem[]): Questionnaire => ({ resourceType: 'Questionnaire', status: 'active', item });

const pathOf = (state: FormState, linkId: string) => pathsOf(state, state.index.byLinkId.get(linkId)!)[0]!;

describe('linkIds that look like paths', () => {
  test('a linkId starting with "/" (LHC-Forms style) is shown, required, and answerable', () => {
    const questionnaire = q([{ linkId: '/8302-2', text: 'Body height', type: 'decimal', required: true }]);
    expect(loadQuestionnaire(questionnaire).questionnaire).toBeDefined();
    const state = createFormState(questionnaire);
    const path = pathOf(state, '/8302-2');
    expect(state.enabled.has(path)).toBe(true);
    expect(validateAnswers(state).map((i) => i.code)).toEqual(['required']);
    const answered = setAnswer(state, path, { valueDecimal: 170 }).state;
    expect(validateAnswers(answered)).toEqual([]);
    expect(buildQuestionnaireResponse(answered, meta).item).toEqual([{ linkId: '/8302-2', text: 'Body height', answer: [{ valueDecimal: 170 }] }]);
  });

  test('nested LHC-Forms style linkIds (/group/item) are shown and validated', () => {
    const questionnaire = q([{ linkId: '/54126-8', type: 'group', item: [{ linkId: '/54126-8/54125-0', text: 'Name', type: 'string', required: true }] }]);
    const state = createFormState(questionnaire);
    expect([...state.enabled].length).toBe(2);
    expect(validateAnswers(state).map((i) => i.linkId)).toEqual(['/54126-8/54125-0']);
  });

  test('a group "mother" with child "name" and an item "mother/name" keep separate answers', () => {
    const questionnaire = q([
      { linkId: 'mother', type: 'group', item: [{ linkId: 'name', text: 'Name', type: 'string' }] },
      { linkId: 'mother/name', text: "Mother's name", type: 'string' },
    ]);
    let state = createFormState(questionnaire);
    const child = itemPath(itemPath(undefined, 'mother'), 'name');
    const sibling = itemPath(undefined, 'mother/name');
    expect(child).not.toBe(sibling);
    state = setAnswer(state, child, { valueString: 'A' }).state;
    state = setAnswer(state, sibling, { valueString: 'B' }).state;
    expect(state.answers.get(child)).toEqual([{ valueString: 'A' }]);
    expect(state.answers.get(sibling)).toEqual([{ valueString: 'B' }]);
    expect(buildQuestionnaireResponse(state, meta).item).toEqual([
      { linkId: 'mother', item: [{ linkId: 'name', text: 'Name', answer: [{ valueString: 'A' }] }] },
      { linkId: 'mother/name', text: "Mother's name", answer: [{ valueString: 'B' }] },
    ]);
  });

  test('a linkId with brackets ("q[1]") neither throws nor loses its required check', () => {
    const questionnaire = q([{ linkId: 'q[1]', text: 'First', type: 'boolean', required: true }]);
    const state = createFormState(questionnaire);
    const path = pathOf(state, 'q[1]');
    expect(linkIdOf(path)).toBe('q[1]');
    expect(nodeAt(state, path)?.item.linkId).toBe('q[1]');
    expect(validateAnswers(state).map((i) => i.code)).toEqual(['required']);
    expect(setAnswer(state, path, { valueBoolean: true }).state.answers.get(path)).toEqual([{ valueBoolean: true }]);
  });

  test('instances of a repeating group whose linkId holds "/" and "[" are added and removed one by one', () => {
    const questionnaire = q([{ linkId: 'a/b[0]', type: 'group', repeats: true, item: [{ linkId: 'x]', type: 'string' }] }]);
    let state = createFormState(questionnaire);
    state = addRepeat(state, undefined, 'a/b[0]').state;
    const [first, second] = getRepeatPaths(state, undefined, 'a/b[0]');
    state = setAnswer(state, itemPath(first, 'x]'), { valueString: 'one' }).state;
    state = setAnswer(state, itemPath(second, 'x]'), { valueString: 'two' }).state;
    state = removeRepeat(state, first!).state;
    expect(getRepeatPaths(state, undefined, 'a/b[0]')).toEqual([second]);
    expect(buildQuestionnaireResponse(state, meta).item).toEqual([{ linkId: 'a/b[0]', item: [{ linkId: 'x]', answer: [{ valueString: 'two' }] }] }]);
  });

  test('our own linkIds keep their plain paths', () => {
    expect(itemPath(itemPath(undefined, 'checklist'), 'smoking')).toBe('checklist/smoking');
  });
});

describe('property: linkIds from a hostile alphabet', () => {
  const hostile = fc
    .array(fc.constantFrom('/', '[', ']', '%', '\\', ' ', 'é', '日', '🙂', 'a', '1', '2', 'F', '5', 'B', 'D', '%2F', '%25'), { minLength: 1, maxLength: 6 })
    .map((parts) => parts.join(''));

  test('never collide and round-trip through response build and load', () => {
    fc.assert(
      fc.property(fc.uniqueArray(hostile, { minLength: 2, maxLength: 8 }), fc.nat(), (linkIds, seed) => {
        // Half the linkIds become children of the first one (a group), the rest sit at the root.
        const [groupId, ...rest] = linkIds as [string, ...string[]];
        const nested = rest.filter((_, i) => (i + seed) % 2 === 0);
        const top = rest.filter((_, i) => (i + seed) % 2 === 1);
        const questionnaire = q([
          { linkId: groupId, type: 'group', item: nested.length ? nested.map((linkId) => ({ linkId, type: 'string' as const })) : [{ linkId: `${groupId}-child`, type: 'display' as const, text: 'x' }] },
          ...top.map((linkId) => ({ linkId, type: 'string' as const })),
        ]);
        if (nested.length === 0 && top.includes(`${groupId}-child`)) return;
        let state = createFormState(questionnaire);
        const paths = allPaths(state);
        expect(new Set(paths).size).toBe(paths.length);
        for (const path of paths) expect(nodeAt(state, path)).toBeDefined();
        for (const linkId of [...nested, ...top]) {
          const path = pathOf(state, linkId);
          expect(linkIdOf(path)).toBe(linkId);
          state = setAnswer(state, path, { valueString: `answer to ${linkId}` }).state;
        }
        const response = buildQuestionnaireResponse(state, meta);
        const reloaded = createFormState(questionnaire, { response });
        for (const linkId of [...nested, ...top]) {
          expect(reloaded.answers.get(pathOf(reloaded, linkId))).toEqual([{ valueString: `answer to ${linkId}` }]);
        }
        expect(reloaded.answers.size).toBe(nested.length + top.length);
      }),
      { numRuns: 300 },
    );
  });
});
