/**
 * The canonical URLs and code systems the engine reads and writes, pinned to their published values.
 * Tests elsewhere import these constants on both sides, so a typo in one would pass them all while
 * every real record system and every other SDC renderer disagreed (found by mutation testing).
 */
import { describe, expect, test } from 'vitest';
import * as engine from '../../src/engine/index.js';

describe('published canonical URLs', () => {
  test.each<[keyof typeof engine, string]>([
    ['SDC_OBSERVATION_EXTRACT', 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract'],
    ['SDC_CALCULATED_EXPRESSION', 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression'],
    ['SDC_ENABLE_WHEN_EXPRESSION', 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression'],
    ['SDC_INITIAL_EXPRESSION', 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression'],
    ['SDC_LAUNCH_CONTEXT', 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-launchContext'],
    ['SDC_VARIABLE', 'http://hl7.org/fhir/StructureDefinition/variable'],
    ['QUESTIONNAIRE_ITEM_CONTROL', 'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl'],
    ['QUESTIONNAIRE_HIDDEN', 'http://hl7.org/fhir/StructureDefinition/questionnaire-hidden'],
    ['MIN_VALUE', 'http://hl7.org/fhir/StructureDefinition/minValue'],
    ['MAX_VALUE', 'http://hl7.org/fhir/StructureDefinition/maxValue'],
    ['QUESTIONNAIRE_MIN_OCCURS', 'http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs'],
    ['QUESTIONNAIRE_MAX_OCCURS', 'http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs'],
    ['RENDERING_XHTML', 'http://hl7.org/fhir/StructureDefinition/rendering-xhtml'],
    ['QUESTIONNAIRE_ANSWER_CONSTRAINT', 'http://hl7.org/fhir/StructureDefinition/questionnaire-answerConstraint'],
    ['QUESTIONNAIRE_UNIT', 'http://hl7.org/fhir/StructureDefinition/questionnaire-unit'],
    ['ENTRY_FORMAT', 'http://hl7.org/fhir/StructureDefinition/entryFormat'],
    ['SNOMED_CT', 'http://snomed.info/sct'],
    ['NHS_NUMBER_SYSTEM', 'https://fhir.nhs.uk/Id/nhs-number'],
    ['V3_CONFIDENTIALITY', 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality'],
    ['V3_ACT_CODE', 'http://terminology.hl7.org/CodeSystem/v3-ActCode'],
    ['OBSERVATION_CATEGORY', 'http://terminology.hl7.org/CodeSystem/observation-category'],
    ['PROVENANCE_PARTICIPANT_TYPE', 'http://terminology.hl7.org/CodeSystem/provenance-participant-type'],
    ['KBS_BASE', 'https://kbs-record-templates.example.org/fhir'],
    ['KBS_CONCEPTS', 'https://kbs-record-templates.example.org/fhir/CodeSystem/kbs-concepts'],
    ['KBS_EXTRACT_ONLY_WHEN_TRUE', 'https://kbs-record-templates.example.org/fhir/StructureDefinition/extract-only-when-true'],
    ['KBS_RESTRICTED_RECORD', 'https://kbs-record-templates.example.org/fhir/StructureDefinition/restricted-record'],
    ['KBS_FOLLOW_UP_TASK', 'https://kbs-record-templates.example.org/fhir/StructureDefinition/follow-up-task'],
    ['KBS_EXTRACTED_ID', 'https://kbs-record-templates.example.org/fhir/Id/extracted-resource'],
  ])('%s', (name, url) => {
    expect(engine[name]).toBe(url);
  });
});

describe('item types', () => {
  test('every R4 item type, spelled as R4 spells it', () => {
    expect(Object.values(engine.ItemType).sort()).toEqual([
      'attachment', 'boolean', 'choice', 'date', 'dateTime', 'decimal', 'display', 'group', 'integer', 'open-choice',
      'quantity', 'reference', 'string', 'text', 'time', 'url',
    ]);
  });

  test('the supported ones (attachment is not yet)', () => {
    expect([...engine.SUPPORTED_ITEM_TYPES].sort()).toEqual([
      'boolean', 'choice', 'date', 'dateTime', 'decimal', 'display', 'group', 'integer', 'open-choice',
      'quantity', 'reference', 'string', 'text', 'time', 'url',
    ]);
  });

  test('the answer value[x] of each answerable type', () => {
    expect(engine.ANSWER_VALUE_KEY).toEqual({
      boolean: 'valueBoolean', decimal: 'valueDecimal', integer: 'valueInteger', date: 'valueDate', dateTime: 'valueDateTime',
      time: 'valueTime', string: 'valueString', text: 'valueString', url: 'valueUri', quantity: 'valueQuantity',
      reference: 'valueReference', attachment: 'valueAttachment',
    });
  });

  test('itemControl codes', () => {
    expect(engine.ItemControl).toEqual({
      radioButton: 'radio-button', checkBox: 'check-box', dropDown: 'drop-down', inset: 'inset', warning: 'warning', help: 'help', flyover: 'flyover', autocomplete: 'autocomplete',
    });
  });
});
