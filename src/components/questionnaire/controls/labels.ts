/** How items, options and answers read on screen (British English dates, Europe/London). */
import { html, nothing } from 'lit';
import { valueOf, type Answer } from '../../../engine/renderer.js';

export function prefixOf(item: fhir4.QuestionnaireItem) {
  return item.prefix ? html`<span class="prefix">${item.prefix}</span>` : nothing;
}

export function requiredMark(item: fhir4.QuestionnaireItem) {
  return item.required ? html` <span class="required">(required)</span>` : nothing;
}

export function optionLabel(option: Answer): string {
  const v = valueOf(option);
  if (!v) return '';
  if (v.key === 'valueCoding') return (v.value as fhir4.Coding).display ?? (v.value as fhir4.Coding).code ?? '';
  if (v.key === 'valueReference') return (v.value as fhir4.Reference).display ?? (v.value as fhir4.Reference).reference ?? '';
  return String(v.value);
}

export function answerText(answer: Answer): string {
  const v = valueOf(answer);
  if (!v) return '';
  if (v.key === 'valueBoolean') return v.value ? 'Yes' : 'No';
  if (v.key === 'valueDate') return new Date(`${v.value as string}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
  if (v.key === 'valueDateTime') return new Date(v.value as string).toLocaleString('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/London' });
  if (v.key === 'valueQuantity') return `${(v.value as fhir4.Quantity).value} ${(v.value as fhir4.Quantity).unit ?? ''}`.trim();
  return optionLabel(answer);
}
