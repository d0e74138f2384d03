/**
 * What every control is given: the form's state and the few ways it may change it. The controls
 * are template functions (lit-html), each small, each for one kind of item; the form element
 * (`kbs-questionnaire`) implements this context, and `<kbs-form-item>` puts one item on screen.
 *
 * Conventions: controls never build FHIR answers from typed text themselves (the engine's
 * typed-input does), never keep state of their own, and render questionnaire text as text only
 * (`textOf` is the one way in for `rendering-xhtml`).
 */
import type { TemplateResult } from 'lit';
import { getExtension, ItemControl, QUESTIONNAIRE_HIDDEN, QUESTIONNAIRE_ITEM_CONTROL, type Answer, type FormState, type Issue, type ItemNode, type ItemPath } from '../../../engine/renderer.js';

export interface ItemContext {
  /** The element events are bound to. */
  readonly host: HTMLElement;
  readonly formState: FormState;
  /** Shows the answers as a summary, with no controls. */
  readonly readonly: boolean;
  /** Item linkIds after which a named slot `after:<linkId>` is rendered. */
  readonly afterSlots: readonly string[];
  /** The error shown for an item (only after a save was attempted). */
  issueFor(path: ItemPath): Issue | undefined;
  /** Text as typed that is not (yet) a valid value, by `<path>#<part>`. */
  typed(key: string): string | undefined;
  setTyped(key: string, text: string): void;
  clearTyped(key: string): void;
  /** The user changed an item's answers: the engine is told, then the host's listeners. */
  userSet(path: ItemPath, answers: readonly Answer[]): void;
  /** An item's answer options: answerOption, or its answerValueSet's codes. */
  options(item: fhir4.QuestionnaireItem): Answer[];
  /** An item's text: plain, or its `rendering-xhtml` through the allow-list sanitiser. */
  textOf(item: fhir4.QuestionnaireItem): TemplateResult | string;
  addRepeat(parent: ItemPath | undefined, linkId: string): void;
  removeRepeat(path: ItemPath): void;
}

/** Renders the items under a parent as their own elements (kept across re-renders of the parent). */
export type ChildItems = (nodes: readonly ItemNode[], parent: ItemPath) => unknown[];

/** A DOM id from an item path (paths contain / and [ ]). */
export function idFor(path: ItemPath): string {
  return `q-${path.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
}

export function itemControl(item: fhir4.QuestionnaireItem): string | undefined {
  return getExtension(item, QUESTIONNAIRE_ITEM_CONTROL)?.valueCodeableConcept?.coding?.[0]?.code;
}

export function isHidden(item: fhir4.QuestionnaireItem | undefined): boolean {
  return !item || getExtension(item, QUESTIONNAIRE_HIDDEN)?.valueBoolean === true;
}

/** A display child with itemControl `help` is shown as its parent's hint, not as an item. */
export function isHelp(node: ItemNode): boolean {
  return node.item.type === 'display' && itemControl(node.item) === ItemControl.help;
}

export const invalidAttr = (invalid: boolean) => (invalid ? 'true' : 'false');
