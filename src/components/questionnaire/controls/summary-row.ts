/**
 * The read-only view: a summary list row per question ("Not answered" when empty), and an
 * outcome callout for a read-only boolean that is true and styled as a warning or inset.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { ItemControl, type ItemNode, type ItemPath } from '../../../engine/renderer.js';
import { isHelp, itemControl, type ChildItems, type ItemContext } from './context.js';
import { answerText, prefixOf } from './labels.js';

export function readOnlyAnswer(ctx: ItemContext, node: ItemNode, path: ItemPath): TemplateResult {
  const { item } = node;
  const answers = ctx.formState.answers.get(path) ?? [];
  const control = itemControl(item);
  if (item.type === 'boolean' && answers[0]?.valueBoolean === true && (control === ItemControl.warning || control === ItemControl.inset)) {
    return control === ItemControl.warning
      ? html`<div class="warning" role="note" data-outcome=${item.linkId}><span class="callout-heading">Outcome</span>${ctx.textOf(item)}</div>`
      : html`<div class="inset" data-outcome=${item.linkId}>${ctx.textOf(item)}</div>`;
  }
  return html`<dl class="summary"><div><dt>${ctx.textOf(item)}</dt><dd>${answers.map(answerText).join(', ') || 'Not answered'}</dd></div></dl>`;
}

export function summaryRow(ctx: ItemContext, node: ItemNode, path: ItemPath, children: ChildItems): TemplateResult {
  if (node.item.readOnly) return readOnlyAnswer(ctx, node, path);
  const answers = ctx.formState.answers.get(path) ?? [];
  const nested = node.children.filter((c) => !isHelp(c));
  return html`<dl class="summary"><div><dt>${prefixOf(node.item)}${ctx.textOf(node.item)}</dt><dd>${answers.map(answerText).join(', ') || 'Not answered'}</dd></div></dl>${nested.length ? children(nested, path) : nothing}`;
}
