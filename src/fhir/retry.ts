/**
 * Retries with exponential backoff and full jitter, for network errors, timeouts, 408, 429
 * (honouring Retry-After) and 5xx. A 4xx is never retried blindly. Clock and randomness are passed in.
 */
import { FhirGatewayError, toGatewayError } from './errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server's Retry-After is honoured up to this (a longer wait leaves the submission in the outbox). */
  maxRetryAfterMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
  sleep: (ms) => new Promise((ok) => setTimeout(ok, ms)),
  random: Math.random,
};

export function backoffDelay(attempt: number, policy: RetryPolicy, error?: FhirGatewayError): number {
  const retryAfter = error?.options.retryAfterMs;
  if (retryAfter !== undefined) return Math.min(retryAfter, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(policy.random() * ceiling);
}

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  onRetry?: (error: FhirGatewayError, attempt: number, delayMs: number) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (raw) {
      const error = toGatewayError(raw);
      if (!error.retryable || attempt + 1 >= policy.attempts) throw error;
      const delay = backoffDelay(attempt, policy, error);
      onRetry?.(error, attempt + 1, delay);
      await policy.sleep(delay);
    }
  }
}
