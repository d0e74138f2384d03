/**
 * Error messages in the NHS.UK design-system voice: say what to do, not what went wrong
 * ("Select whether…", "Enter…"). The label is the item's `short` text where it has one.
 */
import type { QuestionnaireItem } from './types.js';

/** https://hl7.org/fhir/uv/sdc/STU3/StructureDefinition-sdc-questionnaire-shortText.html */
export const SDC_SHORT_TEXT = 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-shortText';

export function labelOf(item: QuestionnaireItem): string {
  const short = item.extension?.find((e) => e.url === SDC_SHORT_TEXT)?.valueString;
  const text = (short ?? item.text ?? item.linkId).trim();
  return text.replace(/[?:.]\s*$/, '');
}

const lower = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s);

export const messages = {
  required(item: QuestionnaireItem): string {
    const label = lower(labelOf(item));
    switch (item.type) {
      case 'boolean':
        return `Select yes or no: ${label}`;
      case 'choice':
      case 'open-choice':
        return item.repeats ? `Select all that apply: ${label}` : `Select an answer: ${label}`;
      case 'date':
      case 'dateTime':
        return `Enter a date: ${label}`;
      case 'group':
        return `Record at least one answer: ${labelOf(item)}`;
      default:
        return `Enter ${label}`;
    }
  },
  minOccurs: (item: QuestionnaireItem, min: number) => `Give at least ${min} answers: ${lower(labelOf(item))}`,
  maxOccurs: (item: QuestionnaireItem, max: number) => `Give no more than ${max} answers: ${lower(labelOf(item))}`,
  maxLength: (item: QuestionnaireItem, max: number) => `${labelOf(item)} must be ${max} characters or fewer`,
  minValue: (item: QuestionnaireItem, min: string) => `${labelOf(item)} must be ${min} or more`,
  maxValue: (item: QuestionnaireItem, max: string) => `${labelOf(item)} must be ${max} or less`,
  notAnOption: (item: QuestionnaireItem) => `Select one of the options listed: ${lower(labelOf(item))}`,
  pattern: (item: QuestionnaireItem, format: string | undefined) => `Enter ${lower(labelOf(item))} in the right format${format ? `, like ${format}` : ''}`,
  invalidValue: (item: QuestionnaireItem, what: string) => `Enter ${what}: ${lower(labelOf(item))}`,
} as const;
