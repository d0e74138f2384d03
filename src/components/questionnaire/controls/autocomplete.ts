/**
 * A long list, or one the questionnaire asks to autocomplete: a text box with the options as
 * suggestions (the browser's own combobox, filtered as the user types). Text that is exactly an
 * option's label chooses it; other text is kept as typed, recorded as free text on open-choice
 * and refused on save ("Select one of the options listed") on choice.
 */
import { html, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { labelOf, type Answer, type ItemNode, type ItemPath } from '../../../engine/renderer.js';
import { idFor, invalidAttr, type ItemContext } from './context.js';
import { answerText, optionLabel } from './labels.js';

export function autocomplete(ctx: ItemContext, node: ItemNode, path: ItemPath, options: Answer[], invalid: boolean): TemplateResult {
  const id = idFor(path);
  const answer = ctx.formState.answers.get(path)?.[0];
  const key = `${path}#typed`;
  const shown = ctx.typed(key) ?? (answer ? answerText(answer) : '');
  const onInput = (e: Event) => {
    const text = (e.target as HTMLInputElement).value;
    ctx.setTyped(key, text);
    const match = options.find((o) => optionLabel(o).toLowerCase() === text.trim().toLowerCase());
    ctx.userSet(path, match ? [match] : text.trim() ? [{ valueString: text }] : []);
  };
  return html`<input type="text" id="${id}-0" data-path=${path} data-control="autocomplete" list="${id}-options" class="width-20" autocomplete="off" aria-label=${labelOf(node.item)}
      aria-invalid=${invalidAttr(invalid)} .value=${live(shown)} @input=${onInput} />
    <datalist id="${id}-options">${options.map((o) => html`<option value=${optionLabel(o)}></option>`)}</datalist>`;
}
