/**
 * Yes/No: NHS.UK radios (inline unless the questionnaire asks for vertical), or a single tick when
 * the item's control is `check-box`. `yesNoRadios` is also the routine enquiry's safe-to-ask gate.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { CHOICE_ORIENTATION, getExtension, type ItemNode, type ItemPath } from '../../../engine/renderer.js';
import { idFor, invalidAttr, type ItemContext } from './context.js';
import { prefixOf, requiredMark } from './labels.js';

export interface YesNoOptions {
  id: string;
  value: boolean | undefined;
  onChange: (value: boolean) => void;
  invalid?: boolean;
  vertical?: boolean;
  /** `data-path` on each input (the form's items carry their path). */
  path?: string;
  /** The id of each radio (default: `<id>-0` for Yes, `<id>-1` for No). */
  optionId?: (value: boolean, index: number) => string;
}

export function yesNoRadios({ id, value, onChange, invalid = false, vertical = false, path, optionId = (_v, i) => `${id}-${i}` }: YesNoOptions): TemplateResult {
  const radio = (v: boolean, label: string, i: number) => html`<div class="choice">
    <input type="radio" id=${optionId(v, i)} name=${id} data-path=${path ?? nothing} data-option=${label} .checked=${live(value === v)} aria-invalid=${invalidAttr(invalid)} @change=${() => onChange(v)} />
    <label for=${optionId(v, i)}>${label}</label></div>`;
  return html`<div class=${vertical ? 'choices' : 'choices choices--inline'}>${radio(true, 'Yes', 0)}${radio(false, 'No', 1)}</div>`;
}

export function booleanRadios(ctx: ItemContext, node: ItemNode, path: ItemPath, invalid: boolean): TemplateResult {
  return yesNoRadios({
    id: idFor(path), path, invalid,
    value: ctx.formState.answers.get(path)?.[0]?.valueBoolean,
    vertical: getExtension(node.item, CHOICE_ORIENTATION)?.valueCode === 'vertical',
    onChange: (v) => ctx.userSet(path, [{ valueBoolean: v }]),
  });
}

/** A single tick: its label is the question. Unticked records no answer. */
export function booleanCheckbox(ctx: ItemContext, node: ItemNode, path: ItemPath, invalid: boolean, describedBy: string | typeof nothing): TemplateResult {
  const id = idFor(path);
  const checked = ctx.formState.answers.get(path)?.[0]?.valueBoolean === true;
  return html`<div class="choices"><div class="choice">
    <input type="checkbox" id="${id}-0" data-path=${path} data-option="true" .checked=${live(checked)} aria-invalid=${invalidAttr(invalid)} aria-describedby=${describedBy}
      @change=${(e: Event) => ctx.userSet(path, (e.target as HTMLInputElement).checked ? [{ valueBoolean: true }] : [])} />
    <label for="${id}-0">${prefixOf(node.item)}${ctx.textOf(node.item)}${requiredMark(node.item)}</label></div></div>`;
}
