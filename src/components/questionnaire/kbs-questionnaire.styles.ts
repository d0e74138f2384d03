import { css } from 'lit';

/** NHS.UK frontend patterns: form group, fieldset/legend, hint, error message, radios, checkboxes, callouts. */
export const questionnaireStyles = css`
  /* One element per item (see controls/item.ts): no box of its own, so the layout is that of its contents. */
  kbs-form-item { display: contents; }
  .form-group { margin: 0 0 calc(var(--_space) * 1.5); }
  /* Off-screen questions skip layout and paint until scrolled to (they stay in the accessibility tree):
     a long form renders and reacts in time proportional to what is on screen. */
  .form-group, .display, dl.summary { content-visibility: auto; contain-intrinsic-size: auto 3em; }
  .form-group--error { border-left: 4px solid var(--_error); padding-left: var(--_space); }
  fieldset { border: 0; margin: 0; padding: 0; min-width: 0; }
  fieldset.group { margin: 0 0 calc(var(--_space) * 1.5); }
  legend { padding: 0; margin: 0 0 calc(var(--_space) * 0.5); font-size: 1.1em; }
  legend.group-legend { font-size: 1.35em; }
  legend .prefix, label .prefix { margin-right: 0.25em; }
  label.label { display: block; font-weight: 600; margin: 0 0 calc(var(--_space) * 0.25); }
  .hint { display: block; color: var(--_secondary); margin: 0 0 calc(var(--_space) * 0.5); }
  .error-message { display: block; color: var(--_error); font-weight: 600; margin: 0 0 calc(var(--_space) * 0.5); }
  .required { color: var(--_secondary); font-weight: 400; font-size: 0.85em; }
  input[type='text'], input[type='url'], textarea, select {
    font: inherit; color: var(--_text); border: 2px solid var(--_border); border-radius: 0; padding: 4px 8px;
    width: 100%; max-width: 32em; background: #fff; min-height: 40px;
  }
  .form-group--error input[type='text'], .form-group--error textarea, .form-group--error select { border-color: var(--_error); }
  textarea { min-height: 6em; }
  input.width-2 { max-width: 3.5em; } input.width-4 { max-width: 5.5em; } input.width-10 { max-width: 12em; } input.width-20 { max-width: 24em; }
  .date-input { display: flex; gap: var(--_space); flex-wrap: wrap; }
  .date-input label { font-weight: 400; display: block; }
  .choices { display: flex; flex-direction: column; gap: calc(var(--_space) * 0.5); }
  .choices--inline { flex-direction: row; flex-wrap: wrap; gap: calc(var(--_space) * 1.5); }
  .choice { display: flex; align-items: flex-start; gap: 0.5em; min-height: 40px; }
  .choice input { width: 32px; height: 32px; margin: 4px 0 0; flex: none; accent-color: var(--_text); cursor: pointer; }
  .choice label { padding-top: 6px; cursor: pointer; }
  .display { margin: 0 0 var(--_space); }
  .display .prefix { font-weight: 700; margin-right: 0.25em; }
  .inset { border-left: 8px solid var(--_blue); padding: calc(var(--_space) * 0.75) var(--_space); margin: 0 0 calc(var(--_space) * 1.5); background: var(--_grey); }
  .suggestion { border-left: 8px solid var(--_blue); padding: calc(var(--_space) * 0.5) var(--_space); margin: 0 0 var(--_space); background: var(--_grey); }
  .warning { background: var(--_warning); border: 1px solid #ffeb3b; padding: var(--_space); margin: 0 0 calc(var(--_space) * 1.5); }
  .warning .callout-heading { display: block; font-weight: 700; margin-bottom: 0.25em; }
  .error-summary { border: 4px solid var(--_error); padding: var(--_space); margin: 0 0 calc(var(--_space) * 2); }
  .error-summary:focus { outline: 4px solid var(--_focus); }
  .error-summary h2 { font-size: 1.25em; }
  .error-summary ul { margin: 0; padding-left: 0; list-style: none; }
  .error-summary a { color: var(--_error); font-weight: 600; }
  .status { margin: var(--_space) 0; padding: calc(var(--_space) * 0.75) var(--_space); border-left: 8px solid var(--_border); background: var(--_grey); }
  .status[data-state='saved'] { border-color: var(--_green); }
  .status[data-state='queued'], .status[data-state='retrying'] { border-color: #ffb81c; }
  .status[data-state='rejected'] { border-color: var(--_error); }
  .status details { margin-top: 0.5em; font-size: 0.85em; color: var(--_secondary); }
  .status pre { white-space: pre-wrap; }
  .notice { border: 2px dashed var(--_border); padding: var(--_space); margin: 0 0 var(--_space); }
  .repeat { border-left: 4px solid var(--_grey); padding-left: var(--_space); margin-bottom: var(--_space); }
  .protected { opacity: 0.6; }
  dl.summary { margin: 0 0 var(--_space); }
  dl.summary div { display: grid; grid-template-columns: minmax(8em, 1fr) 2fr; gap: var(--_space); border-bottom: 1px solid #d8dde0; padding: calc(var(--_space) * 0.5) 0; }
  dt { font-weight: 600; }
  dd { margin: 0; }
  .load-error { border: 4px solid var(--_error); padding: var(--_space); }
  .load-error li { margin-bottom: 0.25em; }
  /* A restricted (domestic abuse) questionnaire never prints, whichever element shows it. */
  @media print { :host([restricted]) { display: none !important; } form button { display: none; } }
  @media (max-width: 40em) { dl.summary div { grid-template-columns: 1fr; gap: 0; } }
`;
