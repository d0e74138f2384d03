/** The NHS.UK date input: day, month, year (and a 24-hour time for dateTime), each kept as typed until it is a real date. */
import { html, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { DATE_PARTS, datePartsOf, parseDateParts, type DatePart, type ItemNode, type ItemPath } from '../../../engine/renderer.js';
import { idFor, invalidAttr, type ItemContext } from './context.js';

const FIELDS: Record<DatePart, { label: string; width: string }> = {
  day: { label: 'Day', width: 'width-2' },
  month: { label: 'Month', width: 'width-2' },
  year: { label: 'Year', width: 'width-4' },
  time: { label: 'Time (24-hour, like 14:30)', width: 'width-4' },
};

export function date(ctx: ItemContext, node: ItemNode, path: ItemPath, invalid: boolean): TemplateResult {
  const id = idFor(path);
  const stored = datePartsOf(ctx.formState.answers.get(path)?.[0]);
  const onInput = (part: DatePart, value: string) => {
    ctx.setTyped(`${path}#${part}`, value);
    // A part not touched keeps what the stored answer says (changing the day of a resumed date keeps its month and year).
    const parts = Object.fromEntries(DATE_PARTS.map((p) => [p, ctx.typed(`${path}#${p}`) ?? stored[p] ?? '']));
    // The typed parts stay as typed; they count as an error only while no valid value stands.
    const answer = parseDateParts(node.item, parts);
    ctx.userSet(path, answer ? [answer] : []);
  };
  const field = (part: DatePart) => html`
    <div><label for="${id}-${part}">${FIELDS[part].label}</label>
    <input type="text" id="${id}-${part}" data-path=${path} data-part=${part} class=${FIELDS[part].width} inputmode=${part === 'time' ? nothing : 'numeric'} autocomplete="off" aria-invalid=${invalidAttr(invalid)}
      .value=${live(ctx.typed(`${path}#${part}`) ?? stored[part] ?? '')}
      @input=${(e: Event) => onInput(part, (e.target as HTMLInputElement).value)} /></div>`;
  return html`<div class="date-input" id="${id}-0">
    ${field('day')}${field('month')}${field('year')}${node.item.type === 'dateTime' ? field('time') : nothing}
  </div>`;
}
