/**
 * Vocabulary of the engine: FHIR item types, SDC extension URLs, code systems.
 * Extension URLs are named after their FHIR/SDC names and link to the spec page.
 */

/** https://hl7.org/fhir/R4/valueset-item-type.html */
export const ItemType = {
  group: 'group',
  display: 'display',
  boolean: 'boolean',
  decimal: 'decimal',
  integer: 'integer',
  date: 'date',
  dateTime: 'dateTime',
  time: 'time',
  string: 'string',
  text: 'text',
  url: 'url',
  choice: 'choice',
  openChoice: 'open-choice',
  attachment: 'attachment',
  reference: 'reference',
  quantity: 'quantity',
} as const;
export type ItemType = (typeof ItemType)[keyof typeof ItemType];

/** Item types the engine can hold answers for and the renderer can show. */
export const SUPPORTED_ITEM_TYPES: ReadonlySet<string> = new Set<string>([
  'group', 'display', 'boolean', 'decimal', 'integer', 'date', 'dateTime', 'time',
  'string', 'text', 'url', 'choice', 'open-choice', 'quantity', 'reference',
]);

/** The `value[x]` key of QuestionnaireResponse.item.answer for each item type. */
export const ANSWER_VALUE_KEY = {
  boolean: 'valueBoolean',
  decimal: 'valueDecimal',
  integer: 'valueInteger',
  date: 'valueDate',
  dateTime: 'valueDateTime',
  time: 'valueTime',
  string: 'valueString',
  text: 'valueString',
  url: 'valueUri',
  quantity: 'valueQuantity',
  reference: 'valueReference',
  attachment: 'valueAttachment',
} as const satisfies Partial<Record<ItemType, string>>;

const SDC = 'http://hl7.org/fhir/uv/sdc/StructureDefinition/';
const CORE = 'http://hl7.org/fhir/StructureDefinition/';

/** https://hl7.org/fhir/uv/sdc/STU3/StructureDefinition-sdc-questionnaire-observationExtract.html */
export const SDC_OBSERVATION_EXTRACT = `${SDC}sdc-questionnaire-observationExtract`;
/** https://hl7.org/fhir/uv/sdc/STU3/StructureDefinition-sdc-questionnaire-observation-extract-category.html (on the Questionnaire or an item; inherited) */
export const SDC_OBSERVATION_EXTRACT_CATEGORY = `${SDC}sdc-questionnaire-observation-extract-category`;
/** https://hl7.org/fhir/uv/sdc/STU3/StructureDefinition-sdc-questionnaire-calculatedExpression.html */
export const SDC_CALCULATED_EXPRESSION = `${SDC}sdc-questionnaire-calculatedExpression`;
/** https://hl7.org/fhir/uv/sdc/STU3/StructureDefinition-sdc-questionnaire-enableWhenExpression.html */
export const SDC_ENABLE_WHEN_EXPRESSION = `${SDC}sdc-questionnaire-enableWhenExpression`;
/** https://hl7.org/fhir/uv/sdc/STU3/StructureDefinition-sdc-questionnaire-initialExpression.html */
export const SDC_INITIAL_EXPRESSION = `${SDC}sdc-questionnaire-initialExpression`;
/** https://hl7.org/fhir/uv/sdc/STU3/StructureDefinition-sdc-questionnaire-launchContext.html */
export const SDC_LAUNCH_CONTEXT = `${SDC}sdc-questionnaire-launchContext`;
/** https://hl7.org/fhir/R4/extension-variable.html (SDC uses the core extension) */
export const SDC_VARIABLE = `${CORE}variable`;
/** https://hl7.org/fhir/R4/extension-questionnaire-itemcontrol.html */
export const QUESTIONNAIRE_ITEM_CONTROL = `${CORE}questionnaire-itemControl`;
/** https://hl7.org/fhir/R4/extension-questionnaire-hidden.html */
export const QUESTIONNAIRE_HIDDEN = `${CORE}questionnaire-hidden`;
/** https://hl7.org/fhir/R4/extension-minvalue.html */
export const MIN_VALUE = `${CORE}minValue`;
/** https://hl7.org/fhir/R4/extension-maxvalue.html */
export const MAX_VALUE = `${CORE}maxValue`;
/** https://hl7.org/fhir/R4/extension-questionnaire-minoccurs.html */
export const QUESTIONNAIRE_MIN_OCCURS = `${CORE}questionnaire-minOccurs`;
/** https://hl7.org/fhir/R4/extension-questionnaire-maxoccurs.html */
export const QUESTIONNAIRE_MAX_OCCURS = `${CORE}questionnaire-maxOccurs`;
/** https://hl7.org/fhir/R4/extension-rendering-xhtml.html (on `_text` / `_prefix`) */
export const RENDERING_XHTML = `${CORE}rendering-xhtml`;
/** https://hl7.org/fhir/uv/sdc/STU3/StructureDefinition-sdc-questionnaire-answerConstraint.html (R5 backport) */
export const QUESTIONNAIRE_ANSWER_CONSTRAINT = `${CORE}questionnaire-answerConstraint`;
/** https://hl7.org/fhir/R4/extension-questionnaire-unit.html */
export const QUESTIONNAIRE_UNIT = `${CORE}questionnaire-unit`;
/** https://hl7.org/fhir/R4/extension-entryformat.html */
export const ENTRY_FORMAT = `${CORE}entryFormat`;

/** https://hl7.org/fhir/R4/valueset-questionnaire-item-control.html (the codes we render) */
export const ItemControl = {
  radioButton: 'radio-button',
  checkBox: 'check-box',
  dropDown: 'drop-down',
  inset: 'inset',
  warning: 'warning',
  help: 'help',
  flyover: 'flyover',
  autocomplete: 'autocomplete',
} as const;

/** https://hl7.org/fhir/R4/extension-regex.html: the whole answer must match. */
export const REGEX = 'http://hl7.org/fhir/StructureDefinition/regex';
/** https://hl7.org/fhir/R4/extension-questionnaire-choiceorientation.html: horizontal or vertical. */
export const CHOICE_ORIENTATION = 'http://hl7.org/fhir/StructureDefinition/questionnaire-choiceOrientation';
/** Answers longer than this are not run against a questionnaire's `regex` (a pattern from elsewhere must not hang the form). */
export const REGEX_MAX_INPUT = 500;

export const SNOMED_CT = 'http://snomed.info/sct';
export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
export const V3_CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
export const V3_ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/** The product's own canonical base for its CodeSystem, ValueSets, Questionnaires and extensions. */
export const KBS_BASE = 'https://kbs-record-templates.example.org/fhir';
export const KBS_CONCEPTS = `${KBS_BASE}/CodeSystem/kbs-concepts`;
/** On a boolean item with observationExtract: file the record entry only when ticked (never "advice given: false"). */
export const KBS_EXTRACT_ONLY_WHEN_TRUE = `${KBS_BASE}/StructureDefinition/extract-only-when-true`;
/** On a Questionnaire: its responses are restricted (v3 R + SDV) and belong to the mother's record only. */
export const KBS_RESTRICTED_RECORD = `${KBS_BASE}/StructureDefinition/restricted-record`;
/**
 * The product's own definition of which questionnaires are restricted, by canonical URL (any
 * version). It is trusted over whatever copy a server returns: a copy can add the restriction
 * (the extension above), never remove it.
 */
export const RESTRICTED_QUESTIONNAIRES: ReadonlySet<string> = new Set([`${KBS_BASE}/Questionnaire/kbs-domestic-abuse-enquiry`]);
/** On an item: its initialExpression only suggests an answer (shown with its source); the clinician chooses. */
export const KBS_SUGGEST_ONLY = `${KBS_BASE}/StructureDefinition/suggest-only`;
/** On an item: a FHIRPath expression giving the words that say where a suggestion came from. */
export const KBS_SUGGESTION_SOURCE = `${KBS_BASE}/StructureDefinition/suggestion-source`;
/** On a group: when the group is answered, extraction creates a follow-up Task (see extract.ts). */
export const KBS_FOLLOW_UP_TASK = `${KBS_BASE}/StructureDefinition/follow-up-task`;
/** The code (in KBS_CONCEPTS) of the routine enquiry's follow-up Tasks. */
export const ROUTINE_ENQUIRY_FOLLOW_UP = 'routine-enquiry-follow-up';
/** Task statuses that mean the work is still to do (https://hl7.org/fhir/R4/valueset-task-status.html). */
export const OPEN_TASK_STATUSES: ReadonlySet<string> = new Set(['draft', 'requested', 'received', 'accepted', 'ready', 'in-progress', 'on-hold']);
/** Identifier system of resources extracted from a response (value: `<response uuid>/<item path>`). */
export const KBS_EXTRACTED_ID = `${KBS_BASE}/Id/extracted-resource`;

export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const PROVENANCE_PARTICIPANT_TYPE = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
