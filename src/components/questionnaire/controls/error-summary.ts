/** The NHS.UK error summary: "There is a problem", each error a link to its question. Shown only after a save was attempted. */
import { html, type TemplateResult } from 'lit';
import type { Issue, ItemPath } from '../../../engine/renderer.js';
import { idFor } from './context.js';

export function errorSummary(issues: readonly Issue[], focus: (path: ItemPath) => void): TemplateResult {
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" part="error-summary">
    <h2 id="error-summary-title">There is a problem</h2>
    <ul>${issues.map((issue) => html`<li><a href="#${idFor(issue.path ?? '')}-0" @click=${(e: Event) => { e.preventDefault(); focus(issue.path ?? ''); }}>${issue.message}</a></li>`)}</ul>
  </div>`;
}
