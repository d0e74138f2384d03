/**
 * SMART App Launch (EHR launch and standalone) with PKCE, through oauth4webapi (no hand-written
 * OAuth): discovery from `<iss>/.well-known/smart-configuration`, authorization code grant, and the
 * launch context (patient, encounter, fhirUser) turned into References and a ready gateway.
 * The access token is kept in memory only; what waits in sessionStorage between the two steps is
 * the PKCE verifier and endpoints, never clinical data.
 */
import * as oauth from 'oauth4webapi';
import type { Reference } from '../engine/index.js';
import { FhirGatewayError } from './errors.js';
import { createFhirGateway, type GatewayOptions, type KbsGateway } from './gateway.js';

export const DEFAULT_SMART_SCOPE = 'launch launch/patient openid fhirUser patient/Patient.read patient/RelatedPerson.read patient/Questionnaire.read patient/QuestionnaireResponse.write patient/Observation.write patient/Task.write patient/Provenance.write';

export interface SmartAuthorizeOptions {
  clientId: string;
  redirectUri: string;
  scope?: string;
  /** The FHIR base URL; taken from the launch URL's `iss` when absent. */
  iss?: string;
  /** EHR launch token; taken from the launch URL's `launch` when absent (standalone launch without it). */
  launch?: string;
  /** The URL the app was launched with (defaults to the current location). */
  url?: string;
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

export interface SmartContext {
  baseUrl: string;
  patient?: Reference;
  encounter?: Reference;
  /** The signed-in user (from the id_token's fhirUser claim). */
  user?: Reference;
  scope?: string;
  gateway: KbsGateway;
}

interface PendingLaunch {
  iss: string;
  clientId: string;
  redirectUri: string;
  verifier: string;
  as: oauth.AuthorizationServer;
}

const KEY = 'kbs-smart-launch:';
const isLoopback = (url: string) => /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//.test(url);

async function discover(iss: string): Promise<oauth.AuthorizationServer> {
  const response = await fetch(`${iss.replace(/\/$/, '')}/.well-known/smart-configuration`, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new FhirGatewayError('http', 'This record system does not offer SMART sign-in.', { status: response.status });
  const config = (await response.json()) as { issuer?: string; authorization_endpoint?: string; token_endpoint?: string };
  if (!config.authorization_endpoint || !config.token_endpoint) {
    throw new FhirGatewayError('invalid-input', "The record system's SMART configuration has no authorization or token endpoint.");
  }
  return { issuer: config.issuer ?? iss, authorization_endpoint: config.authorization_endpoint, token_endpoint: config.token_endpoint };
}

/** Step 1: returns the authorization URL to send the browser to (see `smartAuthorize`). */
export async function smartAuthorizationUrl(options: SmartAuthorizeOptions): Promise<string> {
  const here = new URL(options.url ?? globalThis.location.href);
  const iss = options.iss ?? here.searchParams.get('iss') ?? undefined;
  if (!iss) throw new FhirGatewayError('invalid-input', 'No FHIR server was given for SMART sign-in (iss).');
  const launch = options.launch ?? here.searchParams.get('launch') ?? undefined;
  const as = await discover(iss);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const storage = options.storage ?? globalThis.sessionStorage;
  const pending: PendingLaunch = { iss, clientId: options.clientId, redirectUri: options.redirectUri, verifier, as };
  storage.setItem(`${KEY}${state}`, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint!);
  const scope = options.scope ?? DEFAULT_SMART_SCOPE;
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    scope: launch ? scope : scope.replace(/(^|\s)launch(\s|$)/, ' ').trim(),
    state,
    aud: iss,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(launch ? { launch } : {}),
  }).toString();
  return url.href;
}

/** Step 1 in a browser: goes to the authorization server. */
export async function smartAuthorize(options: SmartAuthorizeOptions): Promise<void> {
  globalThis.location.assign(await smartAuthorizationUrl(options));
}

/** Step 2, on the redirect URI: exchanges the code and returns the launch context with a gateway. */
export async function completeSmartLaunch(
  options: { url?: string; storage?: Pick<Storage, 'getItem' | 'removeItem'>; gateway?: Omit<GatewayOptions, 'baseUrl' | 'token' | 'client'> } = {},
): Promise<SmartContext> {
  const url = new URL(options.url ?? globalThis.location.href);
  const state = url.searchParams.get('state') ?? '';
  const storage = options.storage ?? globalThis.sessionStorage;
  const saved = storage.getItem(`${KEY}${state}`);
  if (!saved) throw new FhirGatewayError('invalid-input', 'This sign-in was not started here, or has already been used. Launch the app again.');
  storage.removeItem(`${KEY}${state}`);
  const pending = JSON.parse(saved) as PendingLaunch;
  const client: oauth.Client = { client_id: pending.clientId };
  const insecure = isLoopback(pending.as.token_endpoint!) ? { [oauth.allowInsecureRequests]: true } : {};
  let token: oauth.TokenEndpointResponse;
  try {
    const params = oauth.validateAuthResponse(pending.as, client, url, state);
    const response = await oauth.authorizationCodeGrantRequest(pending.as, client, oauth.None(), params, pending.redirectUri, pending.verifier, insecure);
    token = await oauth.processAuthorizationCodeResponse(pending.as, client, response, { requireIdToken: false });
  } catch (e) {
    throw new FhirGatewayError('http', 'Sign-in with the record system failed. Launch the app again.', { detail: (e as Error).message });
  }
  const claims = token.id_token ? oauth.getValidatedIdTokenClaims(token) : undefined;
  const fhirUser = typeof claims?.fhirUser === 'string' ? claims.fhirUser : undefined;
  const ref = (type: string, id: unknown) => (typeof id === 'string' && id ? { reference: `${type}/${id}` } : undefined);
  return {
    baseUrl: pending.iss,
    patient: ref('Patient', token.patient),
    encounter: ref('Encounter', token.encounter),
    user: fhirUser ? { reference: fhirUser.replace(/^.*\/(\w+\/[^/]+)$/, '$1') } : undefined,
    scope: token.scope,
    gateway: createFhirGateway({ ...options.gateway, baseUrl: pending.iss, token: token.access_token }),
  };
}
