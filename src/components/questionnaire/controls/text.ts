/**
 * Text boxes: string, text (a textarea), url and reference; `textBox` is also the box of numbers
 * and quantities. A repeating item gets one box per answer and an empty one for the next. What is
 * typed goes through the engine (`parseTypedAnswer`); text that is not a valid value stays as typed.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { ENTRY_FORMAT, getExtension, labelOf, parseTypedAnswer, typedTextOf, type ItemNode, type ItemPath } from '../../../engine/renderer.js';
import { idFor, invalidAttr, type ItemContext } from './context.js';

export interface BoxOptions {
  describedBy: string | typeof nothing;
  invalid: boolean;
  inputmode?: 'numeric' | 'decimal';
  width?: string;
}

/** Typed text into the answers of a (possibly repeating) item. */
export function onTyped(ctx: ItemContext, node: ItemNode, path: ItemPath, index: number, text: string): void {
  const key = `${path}#${index}`;
  const answer = parseTypedAnswer(node.item, text);
  if (answer) ctx.clearTyped(key);
  else ctx.setTyped(key, text);
  if (!node.item.repeats) return ctx.userSet(path, answer ? [answer] : []);
  const current = [...(ctx.formState.answers.get(path) ?? [])];
  if (answer) current[index] = answer;
  else current.splice(index, 1);
  ctx.userSet(path, current.filter(Boolean));
}

/** One text box of an item, for answer `index`. */
export function textBox(ctx: ItemContext, node: ItemNode, path: ItemPath, index: number, { describedBy, invalid, inputmode, width }: BoxOptions): TemplateResult {
  const { item } = node;
  const id = `${idFor(path)}-${index}`;
  const shown = ctx.typed(`${path}#${index}`) ?? typedTextOf(ctx.formState.answers.get(path)?.[index]);
  const onInput = (e: Event) => onTyped(ctx, node, path, index, (e.target as HTMLInputElement).value);
  const label = index > 0 ? `${labelOf(item)} (${index + 1})` : nothing;
  if (item.type === 'text') {
    return html`<textarea id=${id} data-path=${path} aria-label=${label} aria-describedby=${describedBy} aria-invalid=${invalidAttr(invalid)} maxlength=${item.maxLength ?? nothing} .value=${live(shown)} @input=${onInput}></textarea>`;
  }
  return html`<input id=${id} data-path=${path} type=${item.type === 'url' ? 'url' : 'text'} aria-label=${label} class=${width ?? ''}
      inputmode=${inputmode ?? nothing} spellcheck=${inputmode ? 'false' : nothing} autocomplete="off" maxlength=${item.maxLength ?? nothing} placeholder=${getExtension(item, ENTRY_FORMAT)?.valueString ?? nothing}
      aria-describedby=${describedBy} aria-invalid=${invalidAttr(invalid)} .value=${live(shown)} @input=${onInput} />`;
}

/** The boxes of an item: one, or one per answer and an empty one when it repeats. */
export function boxes(ctx: ItemContext, node: ItemNode, path: ItemPath, box: (index: number) => TemplateResult): TemplateResult[] {
  const count = node.item.repeats ? (ctx.formState.answers.get(path)?.length ?? 0) + 1 : 1;
  return Array.from({ length: count }, (_, i) => box(i));
}

export function text(ctx: ItemContext, node: ItemNode, path: ItemPath, options: BoxOptions): TemplateResult[] {
  return boxes(ctx, node, path, (i) => textBox(ctx, node, path, i, { ...options, width: node.item.type === 'time' ? 'width-4' : '' }));
}
