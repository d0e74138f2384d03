/** A repeating group: one fieldset per instance, numbered when there are several, with "Add another" and "Remove". */
import { html, nothing, type TemplateResult } from 'lit';
import { getRepeatPaths, type ItemNode, type ItemPath } from '../../../engine/renderer.js';
import type { ChildItems, ItemContext } from './context.js';
import { prefixOf } from './labels.js';

/** The instances of a repeating group that are on screen (enabled). */
export function repeatPaths(ctx: ItemContext, node: ItemNode, parent: ItemPath | undefined): ItemPath[] {
  return getRepeatPaths(ctx.formState, parent, node.item.linkId).filter((p) => ctx.formState.enabled.has(p));
}

export function repeatingGroup(ctx: ItemContext, node: ItemNode, parent: ItemPath | undefined, children: ChildItems): TemplateResult {
  const paths = repeatPaths(ctx, node, parent);
  const { item } = node;
  return html`${paths.map((path, i) => html`
    <fieldset class="group repeat" part="group">
      <legend class="group-legend" part="legend">${prefixOf(item)}${ctx.textOf(item)} ${paths.length > 1 ? `(${i + 1})` : ''}</legend>
      ${children(node.children, path)}
      ${ctx.readonly || paths.length < 2 ? nothing : html`<button type="button" class="secondary" @click=${() => ctx.removeRepeat(path)}>Remove ${item.text ?? ''} ${i + 1}</button>`}
    </fieldset>`)}
    ${ctx.readonly ? nothing : html`<button type="button" class="secondary" @click=${() => ctx.addRepeat(parent, item.linkId)}>Add another ${(item.text ?? '').toLowerCase()}</button>`}`;
}
