/**
 * Choice and open-choice: radios (one answer) or checkboxes (repeats), a drop-down when the
 * questionnaire asks for one, an autocomplete box for long lists, and "Other" with its text box on
 * open-choice. A list whose options cannot be shown says so: never an empty list.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { answersEqual, CHOICE_ORIENTATION, getExtension, ItemControl, type Answer, type ItemNode, type ItemPath } from '../../../engine/renderer.js';
import { autocomplete } from './autocomplete.js';
import { idFor, invalidAttr, itemControl, type ItemContext } from './context.js';
import { optionLabel } from './labels.js';

/** Single-answer lists longer than this are shown as an autocomplete box. */
export const AUTOCOMPLETE_FROM = 20;

/** A choice question whose options cannot be shown says so, in place of the options. */
export function noOptions(item: fhir4.QuestionnaireItem, path: ItemPath): TemplateResult {
  const source = item.answerValueSet ?? 'no answerOption or answerValueSet in the form definition';
  return html`<div class="notice" role="note" id="${idFor(path)}-0" data-no-options=${item.linkId}>The options for this question could not be loaded. Record the answer in the usual way, and tell your system administrator: <code>${source}</code></div>`;
}

export function choice(ctx: ItemContext, node: ItemNode, path: ItemPath, invalid: boolean): TemplateResult {
  const { item } = node;
  const id = idFor(path);
  const answers = ctx.formState.answers.get(path) ?? [];
  const control = itemControl(item);
  const options = ctx.options(item);
  const open = item.type === 'open-choice';
  const missing = !options.length && (!open || item.answerValueSet !== undefined);
  if (missing && !open) return noOptions(item, path);
  const selected = (o: Answer) => answers.some((a) => answersEqual(a, o));
  const otherText = answers.find((a) => a.valueString !== undefined && !options.some((o) => answersEqual(o, a)))?.valueString;
  const otherKey = `${path}#other`;
  const otherOpen = otherText !== undefined || ctx.typed(otherKey) !== undefined;
  const multiple = item.repeats === true;
  if (control === ItemControl.dropDown && !multiple) {
    const index = options.findIndex(selected);
    return html`<select id="${id}-0" data-path=${path} aria-invalid=${invalidAttr(invalid)} @change=${(e: Event) => {
      const i = Number((e.target as HTMLSelectElement).value);
      ctx.userSet(path, Number.isInteger(i) && i >= 0 ? [options[i]!] : []);
    }}><option value="" ?selected=${index < 0}>Select an option</option>
      ${options.map((o, i) => html`<option value=${i} ?selected=${i === index}>${optionLabel(o)}</option>`)}</select>`;
  }
  if (!multiple && !missing && (control === ItemControl.autocomplete || options.length > AUTOCOMPLETE_FROM)) {
    return autocomplete(ctx, node, path, options, invalid);
  }
  const type = multiple ? 'checkbox' : 'radio';
  const toggle = (o: Answer, on: boolean) => {
    const rest = answers.filter((a) => !answersEqual(a, o));
    ctx.userSet(path, multiple ? (on ? [...rest, o] : rest) : on ? [o] : rest);
  };
  const setOther = (text: string, on: boolean) => {
    if (on) ctx.setTyped(otherKey, text);
    else ctx.clearTyped(otherKey);
    const kept = answers.filter((a) => a.valueString === undefined || options.some((o) => answersEqual(o, a)));
    ctx.userSet(path, on && text.trim() ? [...(multiple ? kept : []), { valueString: text }] : multiple ? kept : []);
  };
  const horizontal = getExtension(item, CHOICE_ORIENTATION)?.valueCode === 'horizontal';
  return html`${missing ? noOptions(item, path) : nothing}<div class=${horizontal ? 'choices choices--inline' : 'choices'}>
    ${options.map((o, i) => html`<div class="choice">
      <input type=${type} id="${id}-${i}" name=${id} data-path=${path} data-option=${optionLabel(o)} .checked=${live(selected(o))} aria-invalid=${invalidAttr(invalid)}
        @change=${(e: Event) => { if (!multiple) ctx.clearTyped(otherKey); toggle(o, (e.target as HTMLInputElement).checked); }} />
      <label for="${id}-${i}">${optionLabel(o)}</label></div>`)}
    ${open ? html`<div class="choice">
        <input type=${type} id="${id}-other" name=${id} data-path=${path} data-option="Other" .checked=${live(otherOpen)} @change=${(e: Event) => setOther(otherText ?? '', (e.target as HTMLInputElement).checked)} />
        <label for="${id}-other">Other</label></div>
      ${otherOpen ? html`<div><label class="label" for="${id}-other-text">Other (describe)</label>
        <input type="text" id="${id}-other-text" data-path=${path} data-part="other-text" .value=${live(ctx.typed(otherKey) ?? otherText ?? '')} @input=${(e: Event) => setOther((e.target as HTMLInputElement).value, true)} /></div>` : nothing}` : nothing}
  </div>`;
}
