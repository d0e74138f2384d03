/**
 * NHS.UK design tokens as `--kbs-*` custom properties with NHS fallbacks, and the shared control
 * styles (focus, error, hint, legend). No external fonts, no network. `:host` resets inheritance so
 * the host page's CSS cannot reach in beyond the documented custom properties.
 */
import { css } from 'lit';

export const tokens = css`
  :host {
    all: initial;
    display: block;
    contain: content;
    --_text: var(--kbs-color-text, #212b32);
    --_secondary: var(--kbs-color-secondary-text, #4c6272);
    --_blue: var(--kbs-color-primary, #005eb8);
    --_focus: var(--kbs-color-focus, #ffeb3b);
    --_focus-text: var(--kbs-color-focus-text, #212b32);
    --_error: var(--kbs-color-error, #d5281b);
    --_green: var(--kbs-color-button, #007f3b);
    --_border: var(--kbs-color-border, #4c6272);
    --_page: var(--kbs-color-background, #ffffff);
    --_grey: var(--kbs-color-grey-5, #f0f4f5);
    --_warning: var(--kbs-color-warning-background, #fff9c4);
    --_font: var(--kbs-font-family, Arial, 'Helvetica Neue', Helvetica, sans-serif);
    --_space: var(--kbs-space, 16px);
    font-family: var(--_font);
    font-size: var(--kbs-font-size, 1.1875rem);
    line-height: 1.47;
    color: var(--_text);
    background: var(--_page);
    -webkit-font-smoothing: antialiased;
  }
  :host([hidden]), [hidden] { display: none !important; }
  :host([density='compact']) {
    --_space: var(--kbs-space-compact, 8px);
    font-size: var(--kbs-font-size-compact, 1rem);
  }
  *, *::before, *::after { box-sizing: border-box; }
  :focus-visible { outline: 4px solid transparent; }
  .visually-hidden {
    position: absolute !important; width: 1px; height: 1px; margin: 0; padding: 0;
    overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); border: 0; white-space: nowrap;
  }
  h2, h3, legend { font-weight: 700; color: var(--_text); }
  h2 { font-size: 1.5em; margin: 0 0 var(--_space); }
  p { margin: 0 0 var(--_space); }
  button {
    font: inherit; font-weight: 600; cursor: pointer; border-radius: 4px; border: 2px solid transparent;
    padding: calc(var(--_space) * 0.5) var(--_space); color: #fff; background: var(--_green);
    box-shadow: 0 4px 0 #00401e; margin: 0 var(--_space) var(--_space) 0;
  }
  button.secondary { background: var(--_blue); box-shadow: 0 4px 0 #003087; }
  button.link { background: none; box-shadow: none; color: var(--_blue); text-decoration: underline; padding: 0; }
  button:focus-visible, a:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible {
    outline: 4px solid transparent; background-color: var(--_focus); color: var(--_focus-text);
    box-shadow: 0 -2px var(--_focus), 0 4px var(--_focus-text); text-decoration: none;
  }
  input:focus-visible, textarea:focus-visible, select:focus-visible { background: #fff; box-shadow: inset 0 0 0 2px; border-color: var(--_text); outline: 4px solid var(--_focus); outline-offset: 0; }
  a { color: var(--_blue); }
  .subject-problem { color: var(--_error); font-weight: 600; border-left: 4px solid var(--_error); padding-left: calc(var(--_space) * 0.75); }
  .warning-callout { background: var(--_warning); border-left: 8px solid #ffb81c; padding: var(--_space); margin: 0 0 var(--_space); }
`;
