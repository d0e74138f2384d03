/** Display items: a paragraph, an NHS.UK warning callout or inset text (itemControl), or the protected text of a disabled item. */
import { html, type TemplateResult } from 'lit';
import { ItemControl, type ItemNode } from '../../../engine/renderer.js';
import { itemControl, type ItemContext } from './context.js';
import { prefixOf } from './labels.js';

export function display(ctx: ItemContext, node: ItemNode): TemplateResult {
  const { item } = node;
  const control = itemControl(item);
  if (control === ItemControl.warning) return html`<div class="warning" role="note"><span class="callout-heading">Important</span>${ctx.textOf(item)}</div>`;
  if (control === ItemControl.inset) return html`<div class="inset">${ctx.textOf(item)}</div>`;
  return html`<p class="display">${prefixOf(item)}${ctx.textOf(item)}</p>`;
}

/** R5 `disabledDisplay` = protected: a disabled item still shows its text, greyed. */
export function protectedDisplay(node: ItemNode): TemplateResult {
  return html`<div class="protected" aria-disabled="true">${node.item.text}</div>`;
}
