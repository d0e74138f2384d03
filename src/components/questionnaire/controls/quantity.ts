/** Quantity: a number box with the questionnaire's unit beside it (the unit is recorded with the value). */
import { html, nothing, type TemplateResult } from 'lit';
import { getExtension, QUESTIONNAIRE_UNIT, type ItemNode, type ItemPath } from '../../../engine/renderer.js';
import type { ItemContext } from './context.js';
import { boxes, textBox, type BoxOptions } from './text.js';

export function quantity(ctx: ItemContext, node: ItemNode, path: ItemPath, options: BoxOptions): TemplateResult[] {
  const unit = getExtension(node.item, QUESTIONNAIRE_UNIT)?.valueCoding;
  return boxes(ctx, node, path, (i) => html`${textBox(ctx, node, path, i, { ...options, inputmode: 'decimal', width: 'width-4' })}${unit ? html` <span>${unit.display ?? unit.code}</span>` : nothing}`);
}
