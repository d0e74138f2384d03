/**
 * <kbs-form-item>: one item of the form on screen — a question, a group, a repeating group or a
 * display item — subscribed to its own path in the engine state. When the form changes, each item
 * compares the few things it shows (enabled, answers, suggestion, error, typed text) and renders
 * again only if one of them changed: an answer in a 1,000-item form re-renders the question and
 * the items it enabled or disabled, not the form.
 *
 * Conventions: light DOM (the form's shadow root holds every id, label and style), rendered
 * synchronously with lit-html when created and when told, so a batch of items can be built off the
 * document and inserted at once; the children of an item are items of their own, kept across its
 * re-renders.
 */
import { html, nothing, render } from 'lit';
import { itemPath, SUPPORTED_ITEM_TYPES, getExtension, type ItemNode, type ItemPath } from '../../../engine/renderer.js';
import { idFor, isHelp, isHidden, type ItemContext } from './context.js';
import { display, protectedDisplay } from './display.js';
import { group } from './group.js';
import { question } from './question.js';
import { repeatingGroup, repeatPaths } from './repeating-group.js';
import { summaryRow, readOnlyAnswer } from './summary-row.js';

/** R5 `disabledDisplay`, as its R4 cross-version extension. */
export const DISABLED_DISPLAY = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Questionnaire.item.disabledDisplay';

/** What the form tells its items: the context, and a key that changes when everything must render again. */
export interface ItemHost extends ItemContext {
  /** Changes when something every item shows changed (read-only, ValueSets, a save attempt, the sanitiser). */
  readonly generation: unknown;
  /** How often the typed text of a path has changed. */
  typedVersion(path: ItemPath): number;
  subscribe(item: KbsFormItem): void;
}

const same = (a: readonly unknown[] | undefined, b: readonly unknown[]) => a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

export class KbsFormItem extends HTMLElement {
  private host_!: ItemHost;
  private node!: ItemNode;
  private parent?: ItemPath;
  private path!: ItemPath;
  private shown?: readonly unknown[];
  /** How many times this item has rendered (for tests and profiling). */
  renders = 0;
  /** This item's children, by their parent path and linkId. */
  private kids = new Map<string, KbsFormItem>();

  /** Builds an item and renders it at once. */
  static create(host: ItemHost, node: ItemNode, parent: ItemPath | undefined): KbsFormItem {
    const element = document.createElement('kbs-form-item') as KbsFormItem;
    element.host_ = host;
    element.node = node;
    element.parent = parent;
    element.path = itemPath(parent, node.item.linkId);
    element.dataset.linkId = node.item.linkId;
    host.subscribe(element);
    element.refresh();
    return element;
  }

  /** What this item shows: when none of it changed, it does not render again. */
  private slice(): unknown[] {
    const host = this.host_;
    const state = host.formState;
    const { item } = this.node;
    if (item.type === 'group' && item.repeats) return [host.generation, repeatPaths(host, this.node, this.parent).join('\n')];
    const path = this.path;
    const enabled = state.enabled.has(path);
    if (!enabled || item.type === 'display') return [host.generation, enabled];
    if (item.type === 'group') return [host.generation, enabled, host.issueFor(path)];
    return [host.generation, enabled, state.answers.get(path), state.suggestions?.get(path), host.issueFor(path), host.typedVersion(path)];
  }

  /** Renders again if what it shows changed (or always, when `force`). */
  refresh(force = false): void {
    const slice = this.slice();
    if (!force && same(this.shown, slice)) return;
    this.shown = slice;
    this.renders++;
    render(this.template(), this, { host: this.host_.host });
  }

  private childItems = (nodes: readonly ItemNode[], parent: ItemPath) => nodes.filter((n) => !isHidden(n.item) && !isHelp(n)).map((node) => {
    const key = `${parent}\n${node.item.linkId}`;
    let kid = this.kids.get(key);
    if (!kid) this.kids.set(key, (kid = KbsFormItem.create(this.host_, node, parent)));
    return kid;
  });

  private template() {
    const host = this.host_;
    const node = this.node;
    const { item } = node;
    const path = this.path;
    if (item.type === 'group' && item.repeats) return repeatingGroup(host, node, this.parent, this.childItems);
    if (!host.formState.enabled.has(path)) return getExtension(item, DISABLED_DISPLAY)?.valueCode === 'protected' ? protectedDisplay(node) : nothing;
    const after = host.afterSlots.includes(item.linkId) ? html`<slot name="after:${item.linkId}"></slot>` : nothing;
    return html`${this.body(path)}${after}`;
  }

  private body(path: ItemPath) {
    const host = this.host_;
    const node = this.node;
    const { item } = node;
    if (!SUPPORTED_ITEM_TYPES.has(item.type)) {
      return html`<div class="notice" role="note" id=${idFor(path)}><strong>Not supported:</strong> the question "${item.text ?? item.linkId}" is of type "${item.type}", which this form cannot show yet. Record it in the usual way.</div>`;
    }
    if (item.type === 'group') return group(host, node, path, this.childItems);
    if (item.type === 'display') return display(host, node);
    if (host.readonly) return summaryRow(host, node, path, this.childItems);
    if (item.readOnly) return readOnlyAnswer(host, node, path);
    return question(host, node, path, this.childItems);
  }
}

if (!customElements.get('kbs-form-item')) customElements.define('kbs-form-item', KbsFormItem);

declare global {
  interface HTMLElementTagNameMap {
    'kbs-form-item': KbsFormItem;
  }
}
