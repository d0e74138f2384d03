export type Questionnaire = fhir4.Questionnaire;
export type QuestionnaireItem = fhir4.QuestionnaireItem;
export type QuestionnaireResponse = fhir4.QuestionnaireResponse;
export type QuestionnaireResponseItem = fhir4.QuestionnaireResponseItem;
export type Answer = fhir4.QuestionnaireResponseItemAnswer;
export type Reference = fhir4.Reference;
export type Coding = fhir4.Coding;

/**
 * Where an answer lives. Segments are linkIds joined by "/"; a repeating group's instance is
 * written `linkId[n]`, where n is a stable instance id (not a position), so removing one instance
 * never re-keys the answers of another.
 */
export type ItemPath = string;

/** A located, human-readable problem. User error is data, never an exception. */
export interface Issue {
  severity: 'error' | 'warning';
  /** FHIRPath-like location, e.g. `Questionnaire.item[2].enableWhen[0]`, or an item path. */
  location: string;
  /** The item's linkId when the issue belongs to one. */
  linkId?: string;
  /** Form path for answer issues, so a UI can focus the field. */
  path?: ItemPath;
  code: IssueCode;
  message: string;
}

export type IssueCode =
  | 'schema'
  | 'population'
  /** The record system's copy of a bundled questionnaire differs under the same canonical url|version. */
  | 'server-copy'
  | 'pattern'
  | 'invalid-regex'
  | 'unsupported-extraction'
  | 'duplicate-link-id'
  | 'unknown-question'
  | 'answer-type-mismatch'
  | 'option-type-mismatch'
  | 'display-has-answers'
  | 'empty-group'
  | 'unsupported-type'
  | 'bad-expression'
  | 'cycle'
  | 'required'
  | 'min-occurs'
  | 'max-occurs'
  | 'max-length'
  | 'min-value'
  | 'max-value'
  | 'not-an-option'
  | 'invalid-value'
  | 'calculation-does-not-settle'
  | 'value-set-not-resolved';

/** Evaluates FHIRPath; supplied by `loadExpressionSupport()` only when a questionnaire needs it. */
export interface ExpressionEvaluator {
  evaluate(expression: string, resource: unknown, environment: Record<string, unknown>): unknown[];
  /** Throws if the expression does not parse. */
  parse(expression: string): void;
}

/** Launch context for `%patient`, `%encounter`, `%user` and other SDC launch-context names. */
export type LaunchContext = Record<string, unknown>;

/** One node of the questionnaire tree, indexed once per questionnaire. */
export interface ItemNode {
  item: QuestionnaireItem;
  /** linkIds from the root to this item. */
  linkIds: readonly string[];
  parent?: ItemNode;
  children: readonly ItemNode[];
  /** True when this item or an ancestor group repeats. */
  repeats: boolean;
}

export interface FormState {
  readonly questionnaire: Questionnaire;
  readonly index: QuestionnaireIndex;
  /** Answers keyed by item path; a path with no entry has no answers. */
  readonly answers: ReadonlyMap<ItemPath, readonly Answer[]>;
  /** Instance ids of each repeating group, keyed by the group's parent path + linkId. */
  readonly instances: ReadonlyMap<string, readonly number[]>;
  /** Paths of items that are currently enabled. */
  readonly enabled: ReadonlySet<ItemPath>;
  readonly nextInstanceId: number;
  readonly context: LaunchContext;
  readonly evaluator?: ExpressionEvaluator;
  /** Problems the last change found in the questionnaire itself (calculations that never settle). */
  readonly issues?: readonly Issue[];
  /** What the record suggests for `suggest-only` items (see populate.ts); never answers by themselves. */
  readonly suggestions?: ReadonlyMap<ItemPath, Suggestion>;
}

/** An answer the record suggests, and the words that say where it came from. */
export interface Suggestion {
  readonly answers: readonly Answer[];
  readonly source: readonly string[];
}

/** What a change did, so a UI can announce what appeared or disappeared. */
export interface FormTransition {
  state: FormState;
  shown: ItemPath[];
  hidden: ItemPath[];
  /** Paths whose calculated value changed. */
  calculated: ItemPath[];
}

export interface QuestionnaireIndex {
  readonly byLinkId: ReadonlyMap<string, ItemNode>;
  readonly roots: readonly ItemNode[];
  /** linkId → linkIds of items whose enableWhen reads it. */
  readonly dependants: ReadonlyMap<string, readonly string[]>;
  /** linkIds of items with an expression; re-evaluated on every change. */
  readonly expressionItems: readonly string[];
  readonly usesExpressions: boolean;
}
