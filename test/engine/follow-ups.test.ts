/**
 * Follow-ups that cannot be lost: a routine enquiry that answers an open follow-up closes it in the
 * same submission; one that again could not be completed updates it instead of opening a second.
 */
import { describe, expect, test } from 'vitest';
import { buildTransactionBundle, createCodeMapper, type StoredTask } from '../../src/engine/index.js';
import { SCENARIOS } from '../fixtures/scenarios.js';
import { questionnaire } from '../support/content.js';
import { completeScenario } from '../support/scenarios.js';

let n = 0;
const newUuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const build = (name: string, followUps: StoredTask[]) => {
  const { response } = completeScenario(SCENARIOS.find((s) => s.name === name)!);
  return buildTransactionBundle({ questionnaire: questionnaire('domestic-abuse-enquiry'), response, mapCode: createCodeMapper([]), product: { name: 'kbs', version: '0' }, newUuid, followUps }).bundle;
};
const open = (id: string): StoredTask => ({
  id, versionId: '3',
  task: {
    resourceType: 'Task', id, status: 'requested', intent: 'order', identifier: [{ system: 'https://example/Id', value: `${id}/not-completed#task` }],
    description: 'Complete the routine enquiry with the mother alone. Not completed because: Interpreter unavailable.', authoredOn: '2026-10-01T10:00:00Z',
    restriction: { period: { end: '2026-10-15' } }, for: { reference: 'Patient/demo-mother' }, note: [{ text: 'earlier note' }],
  },
});
const tasks = (bundle: fhir4.Bundle) => (bundle.entry ?? []).filter((e) => e.resource?.resourceType === 'Task');

describe('completing the enquiry closes its open follow-ups', () => {
  test('the Task is completed, its output the new response, with If-Match; no new Task', () => {
    const bundle = build('completed-no-disclosure', [open('t1')]);
    const [update, ...others] = tasks(bundle);
    expect(others).toEqual([]);
    expect(update!.request).toEqual({ method: 'PUT', url: 'Task/t1', ifMatch: 'W/"3"' });
    const task = update!.resource as fhir4.Task;
    expect(task.status).toBe('completed');
    expect(task.output).toEqual([{ type: { text: 'Routine enquiry completed' }, valueReference: { reference: bundle.entry![0]!.fullUrl } }]);
    expect(task.identifier).toEqual(open('t1').task.identifier);
    expect(task.note?.map((x) => x.text)).toEqual(['earlier note', 'Routine enquiry completed.']);
    expect(task.meta?.security?.map((c) => c.code)).toEqual(['R', 'SDV']);
    // The Provenance covers the update too.
    const provenance = bundle.entry!.at(-1)!.resource as fhir4.Provenance;
    expect(provenance.target.map((t) => t.reference)).toContain(update!.fullUrl);
  });

  test('without open follow-ups nothing else changes', () => {
    expect(tasks(build('completed-no-disclosure', []))).toEqual([]);
  });
});

describe('not completed again: one open follow-up per mother and stage', () => {
  test('the open Task is updated (new reason and due date, history in note), not a second one', () => {
    const bundle = build('not-asked-partner-present', [open('t1')]);
    const all = tasks(bundle);
    expect(all).toHaveLength(1);
    expect(all[0]!.request).toEqual({ method: 'PUT', url: 'Task/t1', ifMatch: 'W/"3"' });
    const task = all[0]!.resource as fhir4.Task;
    expect(task.id).toBe('t1');
    expect(task.status).toBe('requested');
    expect(task.description).toContain('Partner present');
    expect(task.restriction?.period?.end).toBe('2026-12-04');
    expect(task.authoredOn).toBe('2026-10-01T10:00:00Z');
    expect(task.identifier).toEqual(open('t1').task.identifier);
    expect(task.note?.at(-1)?.text).toMatch(/^Not completed again\. Before: .*Interpreter unavailable\. Due 2026-10-15\.$/);
    expect(task.focus).toEqual({ reference: bundle.entry![0]!.fullUrl });
  });

  test('two open ones (from before): the first is updated, the second cancelled as replaced', () => {
    const all = tasks(build('not-asked-partner-present', [open('t1'), open('t2')]));
    expect(all.map((e) => [e.request!.url, (e.resource as fhir4.Task).status])).toEqual([['Task/t1', 'requested'], ['Task/t2', 'cancelled']]);
  });

  test('without open follow-ups a new Task is opened, as before', () => {
    const all = tasks(build('not-asked-partner-present', []));
    expect(all).toHaveLength(1);
    expect(all[0]!.request!.method).toBe('POST');
  });
});
