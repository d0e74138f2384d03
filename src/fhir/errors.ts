/**
 * One error type for everything the record system can do wrong, carrying the server's
 * OperationOutcome. `message` is for the clinician; `detail` is for the integrator.
 */
/** `unconfirmed`: the server answered, but not in a way that confirms what it stored (checked by reading back). */
export type FailureKind = 'network' | 'timeout' | 'http' | 'invalid-input' | 'not-found' | 'ambiguous' | 'unconfirmed';

export class FhirGatewayError extends Error {
  override readonly name = 'FhirGatewayError';
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly options: { status?: number; outcome?: fhir4.OperationOutcome; retryAfterMs?: number; detail?: string } = {},
  ) {
    super(message);
  }

  get status(): number | undefined {
    return this.options.status;
  }

  get outcome(): fhir4.OperationOutcome | undefined {
    return this.options.outcome;
  }

  /** Network failures, timeouts, 408, 429 and 5xx may succeed if sent again; other 4xx will not. */
  get retryable(): boolean {
    if (this.kind === 'network' || this.kind === 'timeout' || this.kind === 'unconfirmed') return true;
    const s = this.options.status ?? 0;
    return s === 408 || s === 429 || (s >= 500 && s !== 501 && s !== 505); // 501 and 505 will not change on a retry
  }

  /** Technical detail for the integrator (never shown as the headline to a clinician). */
  get detail(): string {
    const issues = this.outcome?.issue?.map((i) => `${i.severity} ${i.code}: ${i.details?.text ?? i.diagnostics ?? ''}${i.expression ? ` at ${i.expression.join(', ')}` : ''}`);
    return [this.options.status ? `HTTP ${this.options.status}` : this.kind, this.options.detail, ...(issues ?? [])].filter(Boolean).join('\n');
  }
}

function firstIssueText(outcome: fhir4.OperationOutcome | undefined): string | undefined {
  const issue = outcome?.issue?.find((i) => i.severity === 'error' || i.severity === 'fatal') ?? outcome?.issue?.[0];
  return issue?.details?.text ?? issue?.diagnostics;
}

/** The clinician's sentence for an HTTP status and OperationOutcome. */
export function messageForStatus(status: number, outcome?: fhir4.OperationOutcome): string {
  if (status === 401 || status === 403) return 'The record system did not accept your sign-in. Sign in again, then save.';
  if (status === 404) return 'The record system could not find this record.';
  if (status === 409 || status === 412) return 'Someone else changed this record while you were working on it. Check the latest version, then save again.';
  if (status === 408 || status === 429 || status >= 500) return 'The record system is busy or unavailable.';
  const reason = firstIssueText(outcome);
  return reason ? `The record system refused this record: ${reason}` : 'The record system refused this record.';
}

/** Turns whatever fhir-kit-client or fetch threw into a FhirGatewayError. */
export function toGatewayError(error: unknown): FhirGatewayError {
  if (error instanceof FhirGatewayError) return error;
  const e = error as { name?: string; message?: string; response?: { status?: number; data?: unknown }; config?: { headers?: Headers } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new FhirGatewayError('timeout', 'The record system took too long to answer.', { detail: e.message });
  }
  const status = e?.response?.status;
  if (typeof status === 'number' && status >= 200 && status < 300) {
    // A success status with a body that is not FHIR (an HTML page from a proxy, say): what was stored is not known.
    const data = e.response?.data;
    return new FhirGatewayError('unconfirmed', 'The record system answered, but not in a way that confirms the record was stored.', {
      status, detail: typeof data === 'string' ? data.slice(0, 200) : undefined,
    });
  }
  if (typeof status === 'number') {
    const data = e.response?.data;
    const outcome = data && typeof data === 'object' && (data as fhir4.Resource).resourceType === 'OperationOutcome' ? (data as fhir4.OperationOutcome) : undefined;
    const retryAfter = e.config?.headers?.get?.('retry-after');
    return new FhirGatewayError('http', messageForStatus(status, outcome), {
      status,
      outcome,
      retryAfterMs: retryAfter ? parseRetryAfter(retryAfter) : undefined,
      detail: outcome ? undefined : typeof data === 'string' ? data.slice(0, 500) : undefined,
    });
  }
  return new FhirGatewayError('network', 'Could not reach the record system.', { detail: e?.message });
}

/** Retry-After: seconds or an HTTP date. */
export function parseRetryAfter(value: string, now = Date.now()): number | undefined {
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
