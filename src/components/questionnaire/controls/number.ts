/** Integer and decimal: a narrow text box with the numeric keyboard (not type=number, which drops what it cannot parse). */
import type { TemplateResult } from 'lit';
import type { ItemNode, ItemPath } from '../../../engine/renderer.js';
import type { ItemContext } from './context.js';
import { boxes, textBox, type BoxOptions } from './text.js';

export function number(ctx: ItemContext, node: ItemNode, path: ItemPath, options: BoxOptions): TemplateResult[] {
  const inputmode = node.item.type === 'integer' ? 'numeric' : 'decimal';
  return boxes(ctx, node, path, (i) => textBox(ctx, node, path, i, { ...options, inputmode, width: 'width-4' }));
}
