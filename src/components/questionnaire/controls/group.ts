/** A group: a fieldset with its legend and, after a save attempt, the group's own error ("Tick at least one"). */
import { html, nothing, type TemplateResult } from 'lit';
import type { ItemNode, ItemPath } from '../../../engine/renderer.js';
import { idFor, type ChildItems, type ItemContext } from './context.js';
import { prefixOf } from './labels.js';

export function group(ctx: ItemContext, node: ItemNode, path: ItemPath, children: ChildItems): TemplateResult {
  const { item } = node;
  const issue = ctx.issueFor(path);
  return html`<fieldset class="group${issue ? ' form-group--error' : ''}" part="group" id=${idFor(path)}>
    ${item.text ? html`<legend class="group-legend" part="legend">${prefixOf(item)}${ctx.textOf(item)}</legend>` : nothing}
    ${issue ? html`<span class="error-message" part="error-message"><span class="visually-hidden">Error:</span> ${issue.message}</span>` : nothing}
    ${children(node.children, path)}
  </fieldset>`;
}
