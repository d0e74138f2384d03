// Runs under `node --disallow-code-generation-from-strings`: V8 then refuses eval and new Function,
// as a browser does under a strict Content-Security-Policy. Exercises the built engine end to end.
import { readFileSync } from 'node:fs';

const result = { evalBlocked: false, functionBlocked: false, steps: [] };
try { eval('1'); } catch { result.evalBlocked = true; }
try { new Function('return 1'); } catch { result.functionBlocked = true; }

const engine = await import(new URL('../../dist/esm/engine/index.js', import.meta.url).href);
for (const file of process.argv.slice(2)) {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const { questionnaire, evaluator, issues } = await engine.prepareQuestionnaire(json);
  let state = engine.createFormState(questionnaire, { evaluator });
  for (const path of engine.allPaths(state)) {
    const node = engine.nodeAt(state, path);
    if (node.item.type === 'boolean') state = engine.setAnswer(state, path, { valueBoolean: true }).state;
  }
  engine.validateAnswers(state);
  const response = engine.buildQuestionnaireResponse(state, { status: 'completed', identifier: 'x', now: () => new Date(0) });
  result.steps.push({ file, errors: issues.filter((i) => i.severity === 'error').length, items: response.item?.length ?? 0 });
}
console.log(JSON.stringify(result));
