/** One loop over every file in questionnaires/ and valuesets/: the content is checked like code. */
import { describe, expect, test } from 'vitest';
import { loadQuestionnaire, type Questionnaire } from '../../src/engine/index.js';
import { quotedFrom, readJsonFiles, verifiedSnomed } from '../support/content.js';
import { medplumErrors, schemaErrors } from '../support/fhir-validation.js';

const questionnaires = readJsonFiles<Questionnaire>('questionnaires');
const valuesets = readJsonFiles<fhir4.Resource & { url?: string }>('valuesets');
const codeSystem = valuesets.map(([, j]) => j).find((j): j is fhir4.CodeSystem => j.resourceType === 'CodeSystem')!;
const conceptMap = valuesets.map(([, j]) => j).find((j): j is fhir4.ConceptMap => j.resourceType === 'ConceptMap')!;

function walk(node: unknown, visit: (o: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === 'object') {
    visit(node as Record<string, unknown>);
    Object.values(node).forEach((v) => walk(v, visit));
  }
}

const textsOf = (q: Questionnaire) => {
  const texts: string[] = [];
  walk(q.item, (o) => typeof o.text === 'string' && o.linkId && texts.push(o.text));
  return texts;
};

describe.each([...questionnaires, ...valuesets])('%s', (_file, json) => {
  test('passes the FHIR R4 schema and Medplum StructureDefinition validation', () => {
    expect(schemaErrors(json)).toEqual([]);
    expect(medplumErrors(json)).toEqual([]);
  });

  test('every SNOMED CT code is in the verified list', () => {
    const verified = verifiedSnomed();
    const unverified: string[] = [];
    walk(json, (o) => {
      if (o.system === 'http://snomed.info/sct' && typeof o.code === 'string' && !verified.has(o.code)) unverified.push(o.code);
    });
    // ConceptMap targets carry the system on the group, not on each target.
    if (json.resourceType === 'ConceptMap') {
      for (const group of (json as fhir4.ConceptMap).group ?? []) {
        for (const el of group.element ?? []) for (const t of el.target ?? []) if (t.code && (group.target !== 'http://snomed.info/sct' || !verified.has(t.code))) unverified.push(t.code);
      }
    }
    expect(unverified).toEqual([]);
  });

  test('every local code exists in the CodeSystem with the same display', () => {
    const defined = new Map(codeSystem.concept!.map((c) => [c.code, c.display]));
    const wrong: string[] = [];
    walk(json, (o) => {
      if (o.system === codeSystem.url && typeof o.code === 'string' && defined.get(o.code) !== o.display) wrong.push(`${o.code}: ${String(o.display)}`);
    });
    expect(wrong).toEqual([]);
  });
});

describe.each(questionnaires)('questionnaire %s', (_file, q) => {
  test('loads with no issues in the engine', () => {
    expect(loadQuestionnaire(q).issues).toEqual([]);
  });

  test('has url, version, status, publisher, date, subjectType and a description citing its source', () => {
    expect(q.url).toMatch(/^https:\/\//);
    expect(q.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(q.status).toBe('active');
    expect(q.publisher).toBeTruthy();
    expect(q.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(q.subjectType).toEqual(['Patient']);
    expect(q.description).toMatch(/Derby and Derbyshire Safeguarding Children/);
  });

  test('every answerValueSet resolves to a file in valuesets/', () => {
    const urls = new Set(valuesets.map(([, j]) => j.url));
    const missing: string[] = [];
    walk(q.item, (o) => typeof o.answerValueSet === 'string' && !urls.has(o.answerValueSet.split('|')[0]) && missing.push(o.answerValueSet));
    expect(missing).toEqual([]);
  });

  test('every item that becomes a record entry has a code and observationExtract', () => {
    const bad: string[] = [];
    walk(q.item, (o) => {
      const ext = (o.extension as fhir4.Extension[] | undefined)?.some((e) => e.url.endsWith('sdc-questionnaire-observationExtract'));
      if (ext && !(o.code as unknown[] | undefined)?.length) bad.push(String(o.linkId));
    });
    expect(bad).toEqual([]);
  });
});

describe('ValueSets and ConceptMap', () => {
  test('every ValueSet expansion matches its compose and the CodeSystem', () => {
    for (const [, vs] of valuesets.filter(([, j]) => j.resourceType === 'ValueSet') as [string, fhir4.ValueSet][]) {
      const composed = vs.compose!.include.flatMap((i) => i.concept!.map((c) => `${i.system}|${c.code}|${c.display}`));
      const expanded = vs.expansion!.contains!.map((c) => `${c.system}|${c.code}|${c.display}`);
      expect(expanded).toEqual(composed);
      expect(vs.expansion!.total).toBe(expanded.length);
    }
  });

  test('the ConceptMap has one element per local concept; mapped ones name verified SNOMED CT terms', () => {
    const verified = verifiedSnomed();
    const elements = conceptMap.group![0]!.element!;
    expect(elements.map((e) => e.code).sort()).toEqual(codeSystem.concept!.map((c) => c.code).sort());
    for (const el of elements) {
      for (const t of el.target!) {
        if (t.equivalence === 'unmatched') expect(t.code).toBeUndefined();
        else expect(verified.get(t.code!)).toBe(t.display);
      }
    }
  });
});

// Against the cited passages in test/fixtures/source-passages.json (confirmed against the full
// documents by source-passages.test.ts when they are beside the repository).
describe('faithful to the source documents', () => {
  const inSeed = quotedFrom('three-steps');

  test('the 8-week check carries the introduction, the six statements and the three record entries verbatim, in order', () => {
    const q = questionnaires.find(([f]) => f === 'eight-week-check.json')![1];
    const verbatim = [
      'Keeping babies safe is a priority',
      "As part of the baby check we want to check you've heard the key messages.",
      "Advice to carer regarding child's safety",
      'To reduce the risk of cot death',
      'Babies should sleep on their back in a clutter free cot or Moses basket on a clean, flat mattress.',
      'The environment should be smoke free at all times.',
      'Never sleep with your baby on a sofa or chair and if you share your bed with your baby please follow the safety advice leaflet or from the Lullaby Trust.',
      'Provision of information about infant safe sleeping',
      'Crying is how babies communicate their needs. Some cry more than others. Crying can be stressful.',
      "Keep calm – try all your usual comforting measures (also see links on the leaflet), and if they don't help or you feel upset or agitated then put the baby in a safe sleep space and take a few minutes break. It's ok to ask for help from friends, family or your Health Visitor. It is important that your partner and anyone else who cares for your baby knows this information.",
      'Have you and your partner seen the video "Never Ever Shake Your Baby". If not please follow the link on the leaflet.',
      'Advice about shaking babies',
    ];
    for (const s of verbatim) expect(inSeed(s), s).toBe(true);
    const texts = textsOf(q);
    const positions = verbatim.map((s) => texts.indexOf(s));
    expect(positions.every((p) => p >= 0), JSON.stringify(positions)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('the bed-sharing assessment carries the key messages, safer co-sleeping advice and every "why" verbatim', () => {
    const q = questionnaires.find(([f]) => f === 'bed-sharing-assessment.json')![1];
    const texts = textsOf(q);
    const verbatim = [
      'Put babies on their back for every sleep.',
      'Babies should sleep in a clear, flat sleep space.',
      'Keep babies smoke free day and night.',
      'Do not sleep with your baby on a sofa or chair.',
      "Keep pillows, sheets, blankets, any other items away from your baby as they could obstruct baby's breathing or cause them to overheat.",
      'Avoid the use of a sleep pod or other sleep systems.',
      'Avoid letting pets or other children in the bed.',
      'Smoking increases the risk of SIDS',
      'Any alcohol use changes your sleep pattern and increases the risk of SIDS',
      'Taking any drugs or prescribed medication that can make you sleepy increases the risk of accidental death whilst bedsharing',
      'Excessive tiredness will affect your sleep pattern and is a risk if you bed share',
      'Babies who are born early or who are very small are at higher risk of SIDS',
      'If it is not your normal routine to bedshare please consider if it is safe to do so by using this check list.',
    ];
    for (const s of verbatim) {
      expect(inSeed(s), s).toBe(true);
      expect(texts, s).toContain(s);
    }
    const intro = texts.find((t) => t.startsWith('Practitioners who visit you'))!;
    expect(inSeed(intro)).toBe(true);
    // The seed's "safer sleep advice" is a link; its words are kept.
    expect(inSeed('Follow all other <u>safer sleep advice</u> to reduce the risk of Sudden Infant Death Syndrome (SIDS) such as sleeping baby on their back.')).toBe(true);
    expect(q.description).toMatch(/adapted from the DDSCP tool \(final version, May 2022\)/);
  });

  test('the routine enquiry cites point 5 of the learning briefing and says where its responses belong', () => {
    const q = questionnaires.find(([f]) => f === 'domestic-abuse-enquiry.json')![1];
    const quoted = /"(Always ensure that Domestic Abuse routine enquiries[^"]+)"/.exec(q.description!)![1]!;
    expect(quotedFrom('learning-from-reviews')(quoted), quoted).toBe(true);
    expect(q.description).toMatch(/mother's record only, never the baby's/);
    expect(q.extension?.find((e) => e.url.endsWith('/restricted-record'))?.valueBoolean).toBe(true);
  });
});
