/**
 * A question: the NHS.UK form group around its control (fieldset and legend for radios,
 * checkboxes and dates; a label for text boxes), with hint, what the record suggests, the error
 * after a save attempt, and the items nested under it.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { ENTRY_FORMAT, getExtension, ItemControl, type ItemNode, type ItemPath, type Suggestion } from '../../../engine/renderer.js';
import { booleanCheckbox, booleanRadios } from './boolean.js';
import { choice } from './choice.js';
import { idFor, isHelp, itemControl, type ChildItems, type ItemContext } from './context.js';
import { date } from './date.js';
import { answerText, prefixOf, requiredMark } from './labels.js';
import { number } from './number.js';
import { quantity } from './quantity.js';
import { text, type BoxOptions } from './text.js';

/** What the record suggests, where it came from, and that the clinician chooses: never pre-selected. */
function suggestionNote(suggestion: Suggestion, id: string): TemplateResult {
  const suggested = suggestion.answers.map(answerText).join(', ');
  return html`<div class="suggestion" id=${id} part="suggestion">
    <strong>From the record:</strong> ${suggestion.source.length ? html`${suggestion.source.join('; ')}. ` : nothing}This suggests “${suggested}”. Check with the family, then choose the answer.
  </div>`;
}

export function question(ctx: ItemContext, node: ItemNode, path: ItemPath, children: ChildItems): TemplateResult {
  const { item } = node;
  const issue = ctx.issueFor(path);
  const invalid = issue !== undefined;
  const id = idFor(path);
  const format = item.type !== 'boolean' && item.type !== 'choice' ? getExtension(item, ENTRY_FORMAT)?.valueString : undefined;
  const help = node.children.filter(isHelp).map((c) => c.item.text).join(' ');
  const hint = [help, format ? `Format: ${format}` : undefined].filter(Boolean).join(' ') || undefined;
  const suggestion = ctx.formState.suggestions?.get(path);
  const describedBy: string | typeof nothing = [hint ? `${id}-hint` : '', suggestion ? `${id}-suggestion` : '', issue ? `${id}-error` : ''].filter(Boolean).join(' ') || nothing;
  const hintHtml = [hint ? html`<span class="hint" id="${id}-hint" part="hint">${hint}</span>` : nothing, suggestion ? suggestionNote(suggestion, `${id}-suggestion`) : nothing];
  const errorHtml = issue ? html`<span class="error-message" id="${id}-error" part="error-message"><span class="visually-hidden">Error:</span> ${issue.message}</span>` : nothing;
  const nested = node.children.filter((c) => !isHelp(c));
  const after = nested.length ? children(nested, path) : nothing;
  const groupClass = `form-group${issue ? ' form-group--error' : ''}`;
  const legend = html`<legend part="legend">${prefixOf(item)}${ctx.textOf(item)}${requiredMark(item)}</legend>`;

  if (item.type === 'boolean' && itemControl(item) === ItemControl.checkBox) {
    // A single tick: its label is the question, so no legend repeats it.
    return html`<div class=${groupClass} part="form-group" id=${id}>${hintHtml}${errorHtml}${booleanCheckbox(ctx, node, path, invalid, describedBy)}${after}</div>`;
  }
  if (item.type === 'boolean' || item.type === 'choice' || item.type === 'open-choice' || item.answerOption?.length) {
    return html`<div class=${groupClass} part="form-group">
      <fieldset aria-describedby=${describedBy} id=${id}>${legend}
        ${hintHtml}${errorHtml}${item.type === 'boolean' ? booleanRadios(ctx, node, path, invalid) : choice(ctx, node, path, invalid)}
      </fieldset>${after}</div>`;
  }
  if (item.type === 'date' || item.type === 'dateTime') {
    return html`<div class=${groupClass} part="form-group">
      <fieldset aria-describedby=${describedBy} id=${id}>${legend}
        ${hint ? hintHtml : html`<span class="hint" id="${id}-hint" part="hint">For example, 15 3 2027</span>`}${errorHtml}
        ${date(ctx, node, path, invalid)}
      </fieldset>${after}</div>`;
  }
  const label = html`<label class="label" for=${`${id}-0`}>${prefixOf(item)}${ctx.textOf(item)}${requiredMark(item)}</label>`;
  const box: BoxOptions = { describedBy, invalid };
  const control = item.type === 'integer' || item.type === 'decimal' ? number(ctx, node, path, box) : item.type === 'quantity' ? quantity(ctx, node, path, box) : text(ctx, node, path, box);
  return html`<div class=${groupClass} part="form-group">${label}${hintHtml}${errorHtml}${control}${after}</div>`;
}
