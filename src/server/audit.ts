/**
 * `kbs audit`: the safeguarding lead's measures from a FHIR server (paged searches) or from NDJSON
 * files (a Bulk Data export, or files), streamed, as Markdown, CSV or JSON.
 */
import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AUDIT_COLUMNS, auditRows, createAudit, toCsv, type AuditPeriod, type AuditResult } from '../engine/index.js';
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

export function formatAudit(result: AuditResult, format: 'md' | 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  const rows = auditRows(result);
  if (format === 'csv') return toCsv([[...AUDIT_COLUMNS], ...rows]);
  return `# Keeping Babies Safe audit, ${result.period.from} to ${result.period.to}\n\nDefinitions: docs/audit.md. Routine enquiry figures are aggregates; counts from 1 to 4 are shown as "< 5".\n\n| ${AUDIT_COLUMNS.join(' | ')} |\n|${AUDIT_COLUMNS.map(() => '---').join('|')}|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`;
}
