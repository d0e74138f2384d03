/**
 * `kbs audit`: the safeguarding lead's measures from a FHIR server (paged searches) or from NDJSON
 * files (a Bulk Data export, or files), streamed, as Markdown, CSV or JSON.
 */
import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createAudit, type AuditPeriod, type AuditResult } from '../engine/index.js';
import { auditRecords } from '../fhir/audit-source.js';

/** Resources from every `*.ndjson` file in a folder, one line at a time. */
export async function* ndjsonRecords(dir: string): AsyncGenerator<fhir4.Resource> {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ndjson')).sort()) {
    const lines = createInterface({ input: createReadStream(join(dir, file), 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) if (line.trim()) yield JSON.parse(line) as fhir4.Resource;
  }
}

export async function runAudit(source: { server?: string; token?: string; ndjson?: string }, period: AuditPeriod): Promise<AuditResult> {
  const audit = createAudit(period);
  const records = source.ndjson ? ndjsonRecords(source.ndjson) : auditRecords({ baseUrl: source.server!, ...(source.token ? { token: source.token } : {}) });
  for await (const resource of records) audit.add(resource);
  return audit.result();
}

/** One row per figure: section, measure, group (overall or a month), value, numerator, denominator. */
export function auditRows(result: AuditResult): string[][] {
  const rows: string[][] = [];
  const groups: [string, AuditResult['overall']][] = [['overall', result.overall], ...Object.entries(result.byMonth)];
  for (const [group, m] of groups) {
    const walk = (section: string, prefix: string, value: unknown) => {
      if (value && typeof value === 'object' && 'numerator' in value) {
        const r = value as { numerator: number; denominator: number; percent: number | null };
        rows.push([section, prefix, group, r.percent === null ? '' : `${r.percent}%`, String(r.numerator), String(r.denominator)]);
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) walk(section, prefix ? `${prefix}: ${k}` : k, v);
      } else {
        rows.push([section, prefix, group, value === null ? '' : String(value), '', '']);
      }
    };
    walk('8-week check', '', m.eightWeek);
    walk('bed-sharing assessment', '', m.bedSharing);
    walk('routine enquiry (restricted, small numbers suppressed)', '', m.enquiry);
  }
  return rows;
}

const HEADER = ['section', 'measure', 'group', 'value', 'numerator', 'denominator'];

export function formatAudit(result: AuditResult, format: 'md' | 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  const rows = auditRows(result);
  if (format === 'csv') {
    const cell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    return `${[HEADER, ...rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
  }
  return `# Keeping Babies Safe audit, ${result.period.from} to ${result.period.to}\n\nDefinitions: docs/audit.md. Routine enquiry figures are aggregates; counts from 1 to 4 are shown as "< 5".\n\n| ${HEADER.join(' | ')} |\n|${HEADER.map(() => '---').join('|')}|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`;
}
