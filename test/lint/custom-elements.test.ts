/**
 * custom-elements.json (written by `npm run build` from the components' JSDoc) is what IDEs,
 * Storybook and host developers read. Each element's documented events, public properties, CSS
 * parts and CSS custom properties must all be in it, and no JSDoc line may carry two tags (the
 * analyzer keeps the first and swallows the rest into its description).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../support/content.js';

const COMPONENTS = join(ROOT, 'src', 'components');
const MANIFEST = join(ROOT, 'custom-elements.json');
// kbs-load-warning is for the integrator: the inner form's load warnings, and a record system's copy that differs under the same canonical.
const TEMPLATE_EVENTS = ['kbs-answer-change', 'kbs-response-change', 'kbs-submit', 'kbs-saved', 'kbs-save-error', 'kbs-invalid', 'kbs-load-warning'];
const TEMPLATES = ['kbs-eight-week-check', 'kbs-bed-sharing-assessment', 'kbs-domestic-abuse-enquiry'];

interface Documented {
  file: string;
  className: string;
  tag?: string;
  superclass: string;
  events: string[];
  parts: string[];
  cssProperties: string[];
  /** Public reactive properties: `@property(...)` fields. */
  properties: string[];
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Reads each class's JSDoc tags and `@property` fields straight from the source. */
export function documentedElements(files = sources(COMPONENTS)): Documented[] {
  const out: Documented[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const classes = /(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?(?:@customElement\('([^']+)'\)\s*)?export (?:abstract )?class (\w+) extends (\w+)/g;
    for (const m of text.matchAll(classes)) {
      const [, doc = '', tag, className = '', superclass = ''] = m;
      const tagged = (name: string) => [...doc.matchAll(new RegExp(`@${name}\\s+([\\w-]+)`, 'g'))].map((t) => t[1]!);
      const body = text.slice(m.index! + m[0].length);
      const end = body.search(/\n}\n/);
      const properties = [...body.slice(0, end).matchAll(/@property\([^)]*\)\s+(?:override\s+)?(\w+)/g)].map((p) => p[1]!);
      out.push({
        file: relative(ROOT, file), className, tag, superclass,
        events: tagged('fires'), parts: tagged('csspart'), cssProperties: [...tagged('cssprop'), ...tagged('cssproperty')], properties,
      });
    }
  }
  return out;
}

/** Own plus inherited (the superclass chain inside src/components). */
function withInherited(element: Documented, all: Documented[]): Documented {
  const parent = all.find((d) => d.className === element.superclass);
  if (!parent) return element;
  const p = withInherited(parent, all);
  const merge = (a: string[], b: string[]) => [...new Set([...a, ...b])];
  return {
    ...element,
    events: merge(element.events, p.events), parts: merge(element.parts, p.parts),
    cssProperties: merge(element.cssProperties, p.cssProperties), properties: merge(element.properties, p.properties),
  };
}

interface ManifestDeclaration {
  tagName?: string;
  customElement?: boolean;
  events?: { name: string }[];
  cssParts?: { name: string }[];
  cssProperties?: { name: string }[];
  members?: { kind: string; name: string; privacy?: string }[];
}

function manifestElements(): Map<string, ManifestDeclaration> {
  if (!existsSync(MANIFEST)) throw new Error('custom-elements.json is missing: run `npm run build` first (npm test does)');
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { modules: { declarations?: ManifestDeclaration[] }[] };
  return new Map(manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.customElement && d.tagName).map((d) => [d.tagName!, d]));
}

/** What the manifest lacks for one element; empty when complete. */
export function missingFromManifest(documented: Documented, declaration: ManifestDeclaration | undefined): string[] {
  if (!declaration) return [`<${documented.tag}> is not in custom-elements.json`];
  const names = (list: { name: string }[] | undefined) => new Set((list ?? []).map((x) => x.name));
  const fields = new Set((declaration.members ?? []).filter((m) => m.kind === 'field' && m.privacy !== 'private').map((m) => m.name));
  return [
    ...documented.events.filter((e) => !names(declaration.events).has(e)).map((e) => `event ${e}`),
    ...documented.parts.filter((p) => !names(declaration.cssParts).has(p)).map((p) => `part ${p}`),
    ...documented.cssProperties.filter((c) => !names(declaration.cssProperties).has(c)).map((c) => `CSS property ${c}`),
    ...documented.properties.filter((p) => !fields.has(p)).map((p) => `property ${p}`),
  ];
}

const all = documentedElements();
const elements = all.filter((d) => d.tag).map((d) => withInherited(d, all));

describe('custom-elements.json', () => {
  test('the source documents the elements this test expects (so the loop below cannot be empty)', () => {
    expect(elements.map((e) => e.tag).sort()).toEqual([...TEMPLATES, 'kbs-questionnaire', 'kbs-follow-ups', 'kbs-audit'].sort());
    for (const e of elements) expect(e.properties.length, e.tag).toBeGreaterThan(0);
  });

  test.each(elements.map((e) => [e.tag!, e] as const))('<%s>: every documented event, property, part and CSS property is listed', (tag, element) => {
    expect(missingFromManifest(element, manifestElements().get(tag))).toEqual([]);
  });

  test.each(TEMPLATES)('<%s> documents and lists all seven events', (tag) => {
    expect(elements.find((e) => e.tag === tag)!.events.sort()).toEqual([...TEMPLATE_EVENTS].sort());
    expect((manifestElements().get(tag)!.events ?? []).map((e) => e.name).sort()).toEqual([...TEMPLATE_EVENTS].sort());
  });

  test('one JSDoc tag per line in every component', () => {
    const crowded = sources(COMPONENTS).flatMap((file) =>
      readFileSync(file, 'utf8').split('\n').map((line, i) => [`${relative(ROOT, file)}:${i + 1}`, line] as const)
        .filter(([, line]) => /^\s*\*/.test(line) && (line.match(/@(fires|event|csspart|cssprop|cssproperty|slot|attr|prop)\b/g) ?? []).length > 1)
        .map(([where]) => where));
    expect(crowded).toEqual([]);
  });

  test('the check notices a gap: a manifest without events, parts or properties fails it', () => {
    const element = elements.find((e) => e.tag === 'kbs-eight-week-check')!;
    expect(missingFromManifest(element, { tagName: element.tag, customElement: true, events: [{ name: 'kbs-answer-change' }] })).toEqual(expect.arrayContaining(['event kbs-saved', 'part tally', 'property patient']));
  });
});
