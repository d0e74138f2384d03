/**
 * The `rendering-xhtml` profile: the only path by which markup from a questionnaire reaches the
 * page. An allow-list, not a denylist: text-level markup, lists, tables, block quotes, rules and
 * links; nothing that can take over or mimic the form (no `id`, `name`, `class`, `style`, `slot`,
 * `part`, `for`, `form*`, `aria-*`, `data-*`; no form controls, dialogs, slots, templates, media,
 * frames, SVG or MathML) and no way to load anything.
 *
 * Conventions:
 * - The untrusted markup is never handed to the browser's HTML parser. Chromium checks the page's
 *   CSP on event-handler attributes, `<style>` and `<base>` even in an inert DOMParser or template
 *   document, so sanitising hostile input there raised violation reports although nothing ran.
 *   A small tokenizer reads the markup instead; allow-listed elements are created fresh, with
 *   allow-listed attributes copied one by one; text becomes text nodes. The output is a
 *   DocumentFragment, inserted as nodes: never serialised and parsed again, so there is nothing
 *   for mutation XSS to mutate. Where this tokenizer and a browser would disagree, the result is
 *   odd text, never markup.
 * - Character references are decoded by the browser, in an inert document and on an element that
 *   can hold text only (`<textarea>` content, a `title` value), which no policy applies to.
 * - Elements not on the allow-list are unwrapped (their text stays, so nothing a clinician should
 *   read disappears), except those whose content is code, a control's label, a dialog's or an
 *   embedded document's: those go with their content. `<details>`/`<summary>` are unwrapped: the
 *   text they would fold away is always shown.
 * - Headings become `<strong>`: a questionnaire's text must not add headings to the page outline.
 */
import { Directive, directive, type PartInfo, PartType } from 'lit/directive.js';
import { noChange } from 'lit';

/** Allowed elements and the attributes each may keep (beyond `lang` and `dir`). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  b: [], strong: [], i: [], em: [], u: [], s: [], small: [], sub: [], sup: [], br: [], span: [], p: [],
  code: [], abbr: ['title'], q: [], cite: [], mark: [],
  ul: [], ol: [], li: [], dl: [], dt: [], dd: [],
  table: [], caption: [], thead: [], tbody: [], tfoot: [], tr: [], th: ['colspan', 'rowspan', 'scope'], td: ['colspan', 'rowspan'],
  blockquote: [], hr: [], a: ['href'],
};
const RENAMED: Readonly<Record<string, string>> = { h1: 'strong', h2: 'strong', h3: 'strong', h4: 'strong', h5: 'strong', h6: 'strong' };

/** Removed with everything inside them. */
const DROPPED = new Set([
  'script', 'style', 'template', 'slot', 'dialog', 'svg', 'math', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet',
  'portal', 'fencedframe', 'noscript', 'noembed', 'noframes', 'title', 'head', 'meta', 'link', 'base', 'xmp', 'plaintext',
  'textarea', 'select', 'option', 'optgroup', 'datalist', 'button', 'input', 'output', 'progress', 'meter', 'keygen',
  'img', 'image', 'video', 'audio', 'picture', 'source', 'track', 'canvas', 'map', 'area', 'param', 'selectedcontent',
]);

/** Elements whose content the HTML tokenizer reads as text up to their end tag. */
const RAW_TEXT = new Set(['script', 'style', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'textarea', 'title']);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'image', 'input', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'frame']);

/** Start tags that close an open element of these kinds first (a simplified HTML tree builder). */
const CLOSES: Readonly<Record<string, { close: readonly string[]; within: readonly string[] }>> = {
  li: { close: ['li'], within: ['ul', 'ol'] },
  dt: { close: ['dt', 'dd'], within: ['dl'] },
  dd: { close: ['dt', 'dd'], within: ['dl'] },
  tr: { close: ['tr', 'td', 'th'], within: ['table', 'thead', 'tbody', 'tfoot'] },
  td: { close: ['td', 'th'], within: ['tr', 'table'] },
  th: { close: ['td', 'th'], within: ['tr', 'table'] },
  thead: { close: ['thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'caption'], within: ['table'] },
  tbody: { close: ['thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'caption'], within: ['table'] },
  tfoot: { close: ['thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'caption'], within: ['table'] },
};
const CLOSES_P = new Set(['p', 'ul', 'ol', 'dl', 'table', 'blockquote', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'div', 'details', 'section', 'pre', 'form', 'fieldset', 'li', 'dt', 'dd']);

const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:']);
/** Deeper nesting than this keeps its text but no more elements. */
const MAX_DEPTH = 48;

type Token =
  | { kind: 'text'; raw: string }
  | { kind: 'start'; name: string; attributes: Map<string, string> }
  | { kind: 'end'; name: string };

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r';
const isLetter = (c: string | undefined) => c !== undefined && /^[A-Za-z]$/.test(c);

/** Splits markup into text, start tags and end tags; comments, doctypes and processing instructions go. */
function tokenize(markup: string): Token[] {
  const s = markup.replace(/\r\n?/g, '\n');
  const tokens: Token[] = [];
  let i = 0;
  let text = '';
  const flush = () => {
    if (text) tokens.push({ kind: 'text', raw: text });
    text = '';
  };
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    if (lt < 0) {
      text += s.slice(i);
      break;
    }
    text += s.slice(i, lt);
    i = lt;
    const next = s[i + 1];
    if (s.startsWith('<!--', i)) {
      flush();
      if (s[i + 4] === '>') i += 5; // `<!-->` and `<!--->` are empty comments
      else if (s.startsWith('->', i + 4)) i += 6;
      else {
        const close = /--!?>/.exec(s.slice(i + 4));
        i = close ? i + 4 + close.index + close[0].length : s.length;
      }
    } else if (next === '!' || next === '?' || (next === '/' && !isLetter(s[i + 2]))) {
      flush(); // bogus comment (doctype, CDATA, PI, `</ >`): up to the next `>`
      const close = s.indexOf('>', i + 2);
      i = close < 0 ? s.length : close + 1;
    } else if (isLetter(next) || (next === '/' && isLetter(s[i + 2]))) {
      const end = next === '/';
      const tag = readTag(s, i + (end ? 2 : 1));
      if (!tag) break; // a tag cut off by the end of the input is dropped, as browsers do
      flush();
      i = tag.next;
      if (end) {
        tokens.push({ kind: 'end', name: tag.name });
        continue;
      }
      tokens.push({ kind: 'start', name: tag.name, attributes: tag.attributes });
      if (tag.name === 'plaintext') break;
      if (RAW_TEXT.has(tag.name)) {
        // Raw text runs to the matching end tag; it is never kept (all these elements are dropped).
        const close = new RegExp(`</${tag.name}[\\t\\n\\f />]`, 'i').exec(s.slice(i));
        if (!close) break;
        i += close.index;
      }
    } else {
      text += '<';
      i += 1;
    }
  }
  flush();
  return tokens;
}

function readTag(s: string, start: number): { name: string; attributes: Map<string, string>; next: number } | undefined {
  let i = start;
  while (i < s.length && !isSpace(s[i]) && s[i] !== '/' && s[i] !== '>') i++;
  const name = s.slice(start, i).toLowerCase();
  const attributes = new Map<string, string>();
  for (;;) {
    while (i < s.length && (isSpace(s[i]) || s[i] === '/')) i++;
    if (i >= s.length) return undefined;
    if (s[i] === '>') return { name, attributes, next: i + 1 };
    const nameStart = i;
    i++; // an attribute name may begin with `=`
    while (i < s.length && !isSpace(s[i]) && s[i] !== '/' && s[i] !== '>' && s[i] !== '=') i++;
    const attribute = s.slice(nameStart, i).toLowerCase();
    while (i < s.length && isSpace(s[i])) i++;
    let value = '';
    if (s[i] === '=') {
      i++;
      while (i < s.length && isSpace(s[i])) i++;
      const quote = s[i];
      if (quote === '"' || quote === "'") {
        const close = s.indexOf(quote, i + 1);
        if (close < 0) return undefined;
        value = s.slice(i + 1, close);
        i = close + 1;
      } else {
        const valueStart = i;
        while (i < s.length && !isSpace(s[i]) && s[i] !== '>') i++;
        value = s.slice(valueStart, i);
      }
    }
    if (!attributes.has(attribute)) attributes.set(attribute, value);
  }
}

/** Decodes character references the way the HTML parser does, in a document that holds text only. */
class References {
  private readonly text: HTMLTextAreaElement;
  private readonly holder: HTMLElement;
  constructor() {
    const inert = new DOMParser().parseFromString('', 'text/html');
    this.text = inert.createElement('textarea');
    this.holder = inert.createElement('span');
  }
  inText(raw: string): string {
    if (!raw.includes('&')) return raw;
    this.text.innerHTML = raw.replace(/</g, '&lt;');
    return this.text.value;
  }
  inAttribute(raw: string): string {
    if (!raw.includes('&')) return raw;
    this.holder.innerHTML = `<i title="${raw.replace(/"/g, '&quot;')}"></i>`;
    return this.holder.firstElementChild?.getAttribute('title') ?? '';
  }
}

let references: References | undefined;

/** The value an allowed attribute keeps, or undefined to leave it out. */
function attributeValue(tag: string, name: string, value: string): string | undefined {
  switch (name) {
    case 'href': {
      let url: URL;
      try {
        url = new URL(value.trim());
      } catch {
        return undefined; // relative and malformed links go: a questionnaire cannot point into the app
      }
      if (!LINK_SCHEMES.has(url.protocol) || url.username || url.password) return undefined;
      return url.href;
    }
    case 'colspan':
    case 'rowspan': {
      if (!/^\d{1,5}$/.test(value.trim())) return undefined;
      const n = Number(value);
      return (name === 'colspan' ? n >= 1 && n <= 1000 : n <= 65534) ? String(n) : undefined;
    }
    case 'scope':
      return ['row', 'col', 'rowgroup', 'colgroup'].includes(value.trim().toLowerCase()) ? value.trim().toLowerCase() : undefined;
    case 'dir':
      return ['ltr', 'rtl', 'auto'].includes(value.trim().toLowerCase()) ? value.trim().toLowerCase() : undefined;
    case 'lang':
      return /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(value.trim()) ? value.trim() : undefined;
    case 'title':
      return tag === 'abbr' ? value : undefined;
    default:
      return undefined;
  }
}

interface Frame {
  name: string;
  /** Where this element's content goes: the element we created, an outer one for an unwrapped
   * element, or null when it is dropped with its content. */
  container: Node | null;
  /** Whether this frame created an element (counts towards MAX_DEPTH). */
  created: boolean;
}

/**
 * `rendering-xhtml` markup as a fragment of fresh, allow-listed nodes owned by `doc`.
 * Never throws: markup it cannot make sense of comes out as text or not at all.
 */
export function sanitiseXhtml(markup: string, doc: Document = document): DocumentFragment {
  const out = doc.createDocumentFragment();
  references ??= new References();
  const stack: Frame[] = [];
  let depth = 0; // elements created and still open
  const container = () => (stack.length ? stack[stack.length - 1]!.container : out);
  const popTo = (index: number) => {
    while (stack.length > index) if (stack.pop()!.created) depth--;
  };
  const openIndex = (names: readonly string[], within: readonly string[] = []) => {
    for (let k = stack.length - 1; k >= 0; k--) {
      if (names.includes(stack[k]!.name)) return k;
      if (within.includes(stack[k]!.name)) return -1;
    }
    return -1;
  };

  for (const token of tokenize(markup)) {
    if (token.kind === 'text') {
      container()?.appendChild(doc.createTextNode(references.inText(token.raw)));
      continue;
    }
    if (token.kind === 'end') {
      const k = openIndex([token.name]);
      if (k >= 0) popTo(k);
      continue;
    }
    const name = token.name;
    if (container() !== null) {
      if (CLOSES_P.has(name) && stack[stack.length - 1]?.name === 'p') popTo(stack.length - 1);
      const rule = CLOSES[name];
      if (rule) {
        const k = openIndex(rule.close, rule.within);
        if (k >= 0) popTo(k);
      }
    }
    const into = container();
    const tag = RENAMED[name] ?? name;
    let frame: Frame;
    if (into === null || DROPPED.has(name)) frame = { name, container: null, created: false };
    else if (!ALLOWED[tag] || depth >= MAX_DEPTH) frame = { name, container: into, created: false };
    else {
      const element = doc.createElement(tag);
      for (const attribute of ['lang', 'dir', ...ALLOWED[tag]!]) {
        const raw = token.attributes.get(attribute);
        const value = raw === undefined ? undefined : attributeValue(tag, attribute, references.inAttribute(raw));
        if (value !== undefined) element.setAttribute(attribute, value);
      }
      if (tag === 'a') element.setAttribute('rel', 'noopener noreferrer');
      into.appendChild(element);
      frame = { name, container: element, created: true };
    }
    if (!VOID.has(name)) {
      stack.push(frame);
      if (frame.created) depth++;
    }
  }
  return out;
}

/**
 * `${renderingXhtml(markup)}` in a child position: the sanitised nodes, made again only when the
 * markup changes (so a focused link inside a label survives re-renders).
 */
class RenderingXhtml extends Directive {
  private markup?: string;
  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.CHILD) throw new Error('renderingXhtml() belongs in a child position');
  }
  render(markup: string): DocumentFragment {
    return sanitiseXhtml(markup);
  }
  override update(_part: unknown, [markup]: [string]): DocumentFragment | typeof noChange {
    if (markup === this.markup) return noChange;
    this.markup = markup;
    return this.render(markup);
  }
}
export const renderingXhtml = directive(RenderingXhtml);
