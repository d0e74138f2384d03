/**
 * Extraction, one rule at a time on small questionnaires (table-driven): each answer type's
 * Observation value, what every Observation carries, and the follow-up Task's fields. Written after
 * mutation testing showed these rules could change with the scenario tests still green.
 */
import { describe, expect, test } from 'vitest';
import {
  buildTransactionBundle, createCodeMapper, extractResources, KBS_EXTRACT_ONLY_WHEN_TRUE, KBS_FOLLOW_UP_TASK, KBS_RESTRICTED_RECORD,
  SDC_OBSERVATION_EXTRACT, type Answer, type Questionnaire, type QuestionnaireResponse,
} from '../../src/engine/index.js';

const UUID = '0b7e1c3a-2f4d-4e5f-9a6b-7c8d9e0f1a2b';
const code = { system: 'https://example.org/cs', code: 'q-code', display: 'Question code' };
const extract = { url: SDC_OBSERVATION_EXTRACT, valueBoolean: true };

function q(type: fhir4.QuestionnaireItem['type'], extra: Partial<fhir4.QuestionnaireItem> = {}, top: Partial<Questionnaire> = {}): Questionnaire {
  return { resourceType: 'Questionnaire', status: 'active', item: [{ linkId: 'q', type, text: 'Question', code: [code], extension: [extract], ...extra }], ...top };
}

function response(answers: Answer[], extra: Partial<QuestionnaireResponse> = {}): QuestionnaireResponse {
  return {
    resourceType: 'QuestionnaireResponse', status: 'completed', identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${UUID}` },
    item: [{ linkId: 'q', text: 'Question', answer: answers }], ...extra,
  };
}

const run = (questionnaire: Questionnaire, r: QuestionnaireResponse, mapCode?: Parameters<typeof extractResources>[0]['mapCode']) =>
  extractResources({ questionnaire, response: r, responseReference: 'urn:uuid:response', mapCode });

describe('Observation value for each answer type', () => {
  test.each<[string, fhir4.QuestionnaireItem['type'], Answer, Partial<fhir4.Observation> | undefined]>([
    ['boolean', 'boolean', { valueBoolean: false }, { valueBoolean: false }],
    ['integer', 'integer', { valueInteger: 0 }, { valueInteger: 0 }],
    ['decimal becomes a Quantity', 'decimal', { valueDecimal: 2.5 }, { valueQuantity: { value: 2.5 } }],
    ['quantity', 'quantity', { valueQuantity: { value: 3.1, unit: 'kg' } }, { valueQuantity: { value: 3.1, unit: 'kg' } }],
    ['string', 'string', { valueString: 'Sling' }, { valueString: 'Sling' }],
    ['date becomes a dateTime', 'date', { valueDate: '2024-01-02' }, { valueDateTime: '2024-01-02' }],
    ['dateTime', 'dateTime', { valueDateTime: '2024-01-02T10:00:00Z' }, { valueDateTime: '2024-01-02T10:00:00Z' }],
    ['time', 'time', { valueTime: '10:00:00' }, { valueTime: '10:00:00' }],
    ['coding with display: text too', 'choice', { valueCoding: { system: 's', code: 'a', display: 'A' } }, { valueCodeableConcept: { coding: [{ system: 's', code: 'a', display: 'A' }], text: 'A' } }],
    ['coding without display: no text', 'choice', { valueCoding: { system: 's', code: 'a' } }, { valueCodeableConcept: { coding: [{ system: 's', code: 'a' }] } }],
    ['reference: no Observation value, so none filed', 'reference', { valueReference: { reference: 'Patient/1' } }, undefined],
    ['uri: not an Observation value, so none filed', 'url', { valueUri: 'http://x' }, undefined],
  ])('%s', (_name, type, answer, expected) => {
    const { observations } = run(q(type), response([answer]));
    if (!expected) {
      expect(observations).toEqual([]);
      return;
    }
    expect(observations).toHaveLength(1);
    const value = Object.fromEntries(Object.entries(observations[0]!).filter(([k]) => k.startsWith('value')));
    expect(value).toEqual(expected);
  });
});

describe('what every Observation carries', () => {
  test('identifier, status, category, code, subject, encounter, times, performer, derivedFrom', () => {
    const r = response([{ valueBoolean: true }, { valueBoolean: false }], {
      subject: { reference: 'Patient/b' }, encounter: { reference: 'Encounter/e' }, authored: '2024-10-27T01:30:00Z', author: { reference: 'Practitioner/p' },
    });
    const { observations, tasks, restricted } = run(q('boolean', { repeats: true }), r);
    expect(restricted).toBe(false);
    expect(tasks).toEqual([]);
    expect(observations).toEqual([0, 1].map((i) => ({
      resourceType: 'Observation',
      identifier: [{ system: 'https://kbs-record-templates.example.org/fhir/Id/extracted-resource', value: `${UUID}/q#${i}` }],
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey', display: 'Survey' }] }],
      code: { coding: [code], text: 'Question code' },
      subject: { reference: 'Patient/b' },
      encounter: { reference: 'Encounter/e' },
      effectiveDateTime: '2024-10-27T01:30:00Z',
      issued: '2024-10-27T01:30:00Z',
      performer: [{ reference: 'Practitioner/p' }],
      valueBoolean: i === 0,
      derivedFrom: [{ reference: 'urn:uuid:response' }],
    })));
  });

  test('nothing optional is invented: no subject, encounter, times or performer when the response has none', () => {
    const [o] = run(q('string'), response([{ valueString: 'x' }])).observations;
    for (const key of ['subject', 'encounter', 'effectiveDateTime', 'issued', 'performer', 'meta']) expect(o, key).not.toHaveProperty(key);
  });

  test('an amended response gives amended Observations; the code text falls back to the item text', () => {
    const item = { code: [{ system: 's', code: 'c' }] };
    const [o] = run(q('string', item), response([{ valueString: 'x' }], { status: 'amended' })).observations;
    expect(o?.status).toBe('amended');
    expect(o?.code.text).toBe('Question');
  });

  test('the ConceptMap adds SNOMED CT to the code and to a coded value', () => {
    const mapCode = (c: fhir4.Coding) => (c.code === 'q-code' ? [{ system: 'http://snomed.info/sct', code: '1' }] : c.code === 'a' ? [{ system: 'http://snomed.info/sct', code: '2' }] : []);
    const [o] = run(q('choice'), response([{ valueCoding: { system: 's', code: 'a' } }]), mapCode).observations;
    expect(o?.code.coding).toEqual([code, { system: 'http://snomed.info/sct', code: '1' }]);
    expect(o?.valueCodeableConcept?.coding).toEqual([{ system: 's', code: 'a' }, { system: 'http://snomed.info/sct', code: '2' }]);
  });

  test.each<[string, Partial<fhir4.QuestionnaireItem>]>([
    ['no observationExtract', { extension: [] }],
    ['observationExtract false', { extension: [{ url: SDC_OBSERVATION_EXTRACT, valueBoolean: false }] }],
    ['no code', { code: [] }],
  ])('%s: nothing is filed', (_name, extra) => {
    expect(run(q('string', extra), response([{ valueString: 'x' }])).observations).toEqual([]);
  });

  test('extract-only-when-true: true is filed, false is not; without the flag both are', () => {
    const only = { extension: [extract, { url: KBS_EXTRACT_ONLY_WHEN_TRUE, valueBoolean: true }] };
    expect(run(q('boolean', { ...only, repeats: true }), response([{ valueBoolean: true }, { valueBoolean: false }])).observations.map((o) => o.valueBoolean)).toEqual([true]);
    const flagOff = { extension: [extract, { url: KBS_EXTRACT_ONLY_WHEN_TRUE, valueBoolean: false }] };
    expect(run(q('boolean', { ...flagOff, repeats: true }), response([{ valueBoolean: true }, { valueBoolean: false }])).observations.map((o) => o.valueBoolean)).toEqual([true, false]);
  });

  test('a restricted questionnaire labels every Observation R + SDV', () => {
    const questionnaire = q('string', {}, { extension: [{ url: KBS_RESTRICTED_RECORD, valueBoolean: true }] });
    const result = run(questionnaire, response([{ valueString: 'x' }]));
    expect(result.restricted).toBe(true);
    expect(result.observations[0]?.meta?.security?.map((s) => `${s.system}|${s.code}`)).toEqual([
      'http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R', 'http://terminology.hl7.org/CodeSystem/v3-ActCode|SDV',
    ]);
    expect(run(q('string', {}, { extension: [{ url: KBS_RESTRICTED_RECORD, valueBoolean: false }] }), response([{ valueString: 'x' }])).restricted).toBe(false);
  });

  test('repeated items are numbered by position; answers under answers are found', () => {
    const questionnaire: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      item: [{ linkId: 'g', type: 'group', repeats: true, item: [{ linkId: 'p', type: 'boolean', item: [{ linkId: 'c', type: 'string', code: [code], extension: [extract] }] }] }],
    };
    const r: QuestionnaireResponse = {
      resourceType: 'QuestionnaireResponse', status: 'completed', identifier: { value: `urn:uuid:${UUID}` },
      item: [0, 1].map((n) => ({ linkId: 'g', item: [{ linkId: 'p', answer: [{ valueBoolean: true, item: [{ linkId: 'c', answer: [{ valueString: `s${n}` }] }] }] }] })),
    };
    expect(run(questionnaire, r).observations.map((o) => [o.identifier?.[0]?.value, o.valueString])).toEqual([
      [`${UUID}/g/p/c#0`, 's0'], [`${UUID}/g[1]/p/c#0`, 's1'],
    ]);
  });

  test('response items the questionnaire does not know are ignored', () => {
    expect(run(q('string'), { ...response([]), item: [{ linkId: 'zz', answer: [{ valueString: 'x' }] }] }).observations).toEqual([]);
  });
});

describe('the follow-up Task', () => {
  const followUp = (parts: fhir4.Extension[]): Questionnaire => ({
    resourceType: 'Questionnaire', status: 'active',
    item: [{
      linkId: 'not-done', type: 'group',
      extension: [{ url: KBS_FOLLOW_UP_TASK, extension: parts }],
      item: [
        { linkId: 'why', type: 'choice', repeats: true },
        { linkId: 'why-other', type: 'string' },
        { linkId: 'by', type: 'date' },
        { linkId: 'role', type: 'choice' },
        { linkId: 'who', type: 'string' },
      ],
    }],
  });
  const allParts: fhir4.Extension[] = [
    { url: 'code', valueCoding: { system: 's', code: 'follow-up', display: 'Follow up the enquiry' } },
    { url: 'description', valueString: 'Ask again alone.' },
    { url: 'dueDate', valueString: 'by' },
    { url: 'ownerRole', valueString: 'role' },
    { url: 'ownerName', valueString: 'who' },
    { url: 'reason', valueString: 'why' },
    { url: 'reasonOther', valueString: 'why-other' },
  ];
  const answered = (answers: Record<string, Answer[]>, extra: Partial<QuestionnaireResponse> = {}): QuestionnaireResponse => ({
    resourceType: 'QuestionnaireResponse', status: 'completed', identifier: { value: `urn:uuid:${UUID}` },
    item: [{ linkId: 'not-done', item: Object.entries(answers).map(([linkId, answer]) => ({ linkId, answer })) }], ...extra,
  });

  test('every field, from the named child items', () => {
    const r = answered({
      why: [{ valueCoding: { code: 'partner', display: 'Partner present' } }, { valueString: 'Busy clinic' }],
      'why-other': [{ valueString: 'No room' }],
      by: [{ valueDate: '2024-12-04' }],
      role: [{ valueCoding: { system: 's', code: 'hv', display: 'Health visitor' } }],
      who: [{ valueString: 'Sam' }],
    }, { subject: { reference: 'Patient/m' }, encounter: { reference: 'Encounter/e' }, authored: '2024-11-20T10:00:00Z', author: { reference: 'Practitioner/p' } });
    const mapCode = (c: fhir4.Coding) => (c.code === 'hv' ? [{ system: 'http://snomed.info/sct', code: '9' }] : c.code === 'follow-up' ? [{ system: 'http://snomed.info/sct', code: '8' }] : []);
    const [task] = run(followUp(allParts), r, mapCode).tasks;
    expect(task).toEqual({
      resourceType: 'Task',
      identifier: [{ system: 'https://kbs-record-templates.example.org/fhir/Id/extracted-resource', value: `${UUID}/not-done#task` }],
      status: 'requested', intent: 'order', priority: 'routine',
      code: { coding: [allParts[0]!.valueCoding, { system: 'http://snomed.info/sct', code: '8' }], text: 'Follow up the enquiry' },
      description: 'Ask again alone. Not completed because: Partner present; Busy clinic; No room. Follow-up by: Health visitor, Sam.',
      focus: { reference: 'urn:uuid:response' },
      for: { reference: 'Patient/m' },
      encounter: { reference: 'Encounter/e' },
      authoredOn: '2024-11-20T10:00:00Z', lastModified: '2024-11-20T10:00:00Z',
      requester: { reference: 'Practitioner/p' }, // no owner: the author asks, the role chosen follows up
      performerType: [{ coding: [{ system: 's', code: 'hv', display: 'Health visitor' }, { system: 'http://snomed.info/sct', code: '9' }], text: 'Health visitor' }],
      restriction: { period: { end: '2024-12-04' } },
    });
  });

  test.each<[string, fhir4.Extension[], Record<string, Answer[]>, string]>([
    ['no parts at all', [], { why: [{ valueString: 'x' }] }, 'Follow up'],
    ['reasons only', allParts, { why: [{ valueString: 'Partner present' }] }, 'Ask again alone. Not completed because: Partner present.'],
    ['reason other without a listed reason is not on its own', allParts, { 'why-other': [{ valueString: 'No room' }] }, 'Ask again alone.'],
    ['owner name only', allParts, { who: [{ valueString: 'Sam' }] }, 'Ask again alone. Follow-up by: Sam.'],
    ['owner role only', allParts, { role: [{ valueCoding: { code: 'hv', display: 'Health visitor' } }] }, 'Ask again alone. Follow-up by: Health visitor.'],
    ['a reason coding without display is left out', allParts, { why: [{ valueCoding: { code: 'x' } }, { valueString: 'Busy' }] }, 'Ask again alone. Not completed because: Busy.'],
  ])('description: %s', (_name, parts, answers, description) => {
    const [task] = run(followUp(parts), answered(answers)).tasks;
    expect(task?.description).toBe(description);
  });

  test('optional fields are left out when not answered', () => {
    const [task] = run(followUp(allParts.slice(1)), answered({ why: [{ valueString: 'x' }] })).tasks;
    for (const key of ['code', 'for', 'encounter', 'authoredOn', 'lastModified', 'requester', 'owner', 'performerType', 'restriction']) expect(task, key).not.toHaveProperty(key);
  });

  test('restricted questionnaires label the Task too', () => {
    const questionnaire = { ...followUp(allParts), extension: [{ url: KBS_RESTRICTED_RECORD, valueBoolean: true }] };
    expect(run(questionnaire, answered({ why: [{ valueString: 'x' }] })).tasks[0]?.meta?.security?.map((s) => s.code)).toEqual(['R', 'SDV']);
  });
});

describe('the code mapper', () => {
  const map: fhir4.ConceptMap = {
    resourceType: 'ConceptMap', status: 'active',
    group: [
      { source: 'local', target: 'http://snomed.info/sct', element: [
        { code: 'a', target: [{ code: '1', display: 'One', equivalence: 'equivalent' }, { code: '2', equivalence: 'equal' }, { code: '3', equivalence: 'wider' }, { equivalence: 'unmatched' }] },
        { code: 'b', target: [{ code: '4', equivalence: 'narrower' }] },
      ] },
      { source: 'local', target: 'http://loinc.org', element: [{ code: 'a', target: [{ code: 'L', equivalence: 'equivalent' }] }] },
    ],
  };
  test.each<[fhir4.Coding, fhir4.Coding[]]>([
    [{ system: 'local', code: 'a' }, [{ system: 'http://snomed.info/sct', code: '1', display: 'One' }, { system: 'http://snomed.info/sct', code: '2' }]],
    [{ system: 'local', code: 'b' }, []],
    [{ system: 'other', code: 'a' }, []],
    [{ code: 'a' }, []],
  ])('%j → %j', (coding, expected) => {
    expect(createCodeMapper([map])(coding)).toEqual(expected);
  });
});

describe('the transaction', () => {
  const newUuid = (() => { let n = 0; return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`; })();
  const product = { name: 'kbs', version: '1.2.3' };

  test('the Provenance names the author and the product; without an author only the product', () => {
    const r = response([{ valueString: 'x' }], { authored: '2024-01-01T00:00:00Z', author: { reference: 'Practitioner/p' } });
    const { bundle } = buildTransactionBundle({ questionnaire: q('string'), response: r, product, newUuid });
    const provenance = bundle.entry!.at(-1)!.resource as fhir4.Provenance;
    expect(provenance.recorded).toBe('2024-01-01T00:00:00Z');
    expect(provenance.agent.map((a) => [a.type?.coding?.[0]?.code, a.who.reference ?? a.who.display])).toEqual([['author', 'Practitioner/p'], ['assembler', 'kbs 1.2.3']]);
    expect(provenance.meta?.security).toBeUndefined();
    expect(provenance.meta?.tag).toEqual([{ system: 'https://kbs-record-templates.example.org/fhir/Id/extracted-resource', code: `${UUID}/provenance` }]);
    expect(bundle.entry!.at(-1)!.request).toEqual({ method: 'POST', url: 'Provenance', ifNoneExist: `_tag=${encodeURIComponent(`https://kbs-record-templates.example.org/fhir/Id/extracted-resource|${UUID}/provenance`)}` });

    const anonymous = buildTransactionBundle({ questionnaire: q('string'), response: response([{ valueString: 'x' }]), product, newUuid }).bundle;
    const p2 = anonymous.entry!.at(-1)!.resource as fhir4.Provenance;
    expect(p2.agent.map((a) => a.type?.coding?.[0]?.code)).toEqual(['assembler']);
    expect(p2.recorded).toBe(new Date(0).toISOString());
  });

  test('an update of a stored response updates each extracted resource in place, and versions the Provenance', () => {
    const r = response([{ valueString: 'x' }], { status: 'amended', authored: '2024-01-02T00:00:00Z' });
    const { bundle } = buildTransactionBundle({ questionnaire: q('string'), response: r, product, newUuid, existing: { id: 'qr1', versionId: '2' } });
    expect(bundle.entry![1]!.request).toEqual({ method: 'PUT', url: `Observation?identifier=${encodeURIComponent(`https://kbs-record-templates.example.org/fhir/Id/extracted-resource|${UUID}/q#0`)}` });
    expect((bundle.entry!.at(-1)!.resource as fhir4.Provenance).meta?.tag?.[0]?.code).toBe(`${UUID}/provenance/amended/2024-01-02T00:00:00Z`);
    expect((bundle.entry![0]!.resource as QuestionnaireResponse).id).toBe('qr1');
  });

  test('a restricted response is labelled in the bundle, Provenance included', () => {
    const questionnaire = q('string', {}, { extension: [{ url: KBS_RESTRICTED_RECORD, valueBoolean: true }] });
    const { bundle } = buildTransactionBundle({ questionnaire, response: response([{ valueString: 'x' }]), product, newUuid });
    for (const entry of bundle.entry!) expect(entry.resource!.meta?.security?.map((s) => s.code), entry.resource!.resourceType).toEqual(['R', 'SDV']);
  });

  test.each(['', 'urn:uuid:not-a-uuid', `urn:oid:${UUID}`, `urn:uuid:${UUID}x`])('the identifier %j is refused', (value) => {
    expect(() => extractResources({ questionnaire: q('string'), response: { ...response([{ valueString: 'x' }]), identifier: { value } }, responseReference: 'x' })).toThrow('the QuestionnaireResponse needs a urn:uuid identifier before extraction');
  });

  test('an upper-case UUID is accepted and written lower case', () => {
    const [o] = extractResources({ questionnaire: q('string'), response: { ...response([{ valueString: 'x' }]), identifier: { value: `urn:uuid:${UUID.toUpperCase()}` } }, responseReference: 'x' }).observations;
    expect(o?.identifier?.[0]?.value).toBe(`${UUID}/q#0`);
  });
});
