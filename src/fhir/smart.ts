/**
 * SMART App Launch (EHR launch and standalone) with PKCE, through oauth4webapi (no hand-written
 * OAuth): discovery from `<iss>/.well-known/smart-configuration`, authorization code grant, and the
 * launch context (patient, encounter, fhirUser) turned into References and a ready gateway.
 * The access token is kept in memory only; what waits in sessionStorage between the two steps is
 * the PKCE verifier and endpoints, never clinical data.
 *
 * Trust: the deployer names the FHIR servers (`iss`) the app may sign in to (default: the page's
 * own origin) and any authorization server on another origin. The iss, and the authorization and
 * token endpoints its SMART configuration names, must be `https:` (or `http:` on loopback) and
 * allowed, or the launch stops with a message before any redirect, and before the token endpoint
 * or the FHIR server is sent anything. Both steps check, so the token never leaves for a host
 * that is not allowed.
 */
import * as oauth from 'oauth4webapi';
import type { Reference } from '../engine/index.js';
import { FhirGatewayError } from './errors.js';
import { createFhirGateway, type GatewayOptions, type KbsGateway } from './gateway.js';

export const DEFAULT_SMART_SCOPE = 'launch launch/patient openid fhirUser patient/Patient.read patient/RelatedPerson.read patient/Questionnaire.read patient/QuestionnaireResponse.write patient/Observation.write patient/Task.write patient/Provenance.write';

export interface SmartTrustOptions {
  /**
   * The FHIR servers (`iss`) the app may sign in to: each a base URL (that base and anything under
   * it) or an origin (any base on it). Default: the origin of the page.
   */
  allowedIss?: readonly string[];
  /** Origins of authorization servers other than the iss's own origin (a separate sign-in service). */
  allowedAuthorizationServers?: readonly string[];
}

export interface SmartAuthorizeOptions extends SmartTrustOptions {
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

/** 127.0.0.0/8, localhost and [::1], as the URL parser spells them (it normalises 127.1, 0x7f.0.0.1…). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

const stop = (message: string) => new FhirGatewayError('invalid-input', `Sign-in stopped: ${message}`);
const shown = (value: string) => (value.length > 80 ? `${value.slice(0, 80)}…` : value);

/** An absolute `https:` URL (or `http:` on loopback) with no user name or password in it. */
function secureUrl(value: string | undefined, what: string): URL {
  let url: URL;
  try {
    url = new URL(value ?? '');
  } catch {
    throw stop(`the ${what} "${shown(value ?? '')}" is not a web address.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw stop(`the ${what} "${shown(url.href)}" is not a secure (https) address.`);
  }
  if (url.username || url.password) throw stop(`the ${what} "${shown(url.href)}" carries a user name or password.`);
  return url;
}

const trimSlash = (path: string) => path.replace(/\/+$/, '');

/** Whether `iss` is the allowed base (or under it), or on the allowed origin. */
function issMatches(iss: URL, allowed: string): boolean {
  let base: URL;
  try {
    base = new URL(allowed);
  } catch {
    return false;
  }
  if (base.origin !== iss.origin) return false;
  const prefix = trimSlash(base.pathname);
  const path = trimSlash(iss.pathname);
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * The iss, checked: secure and allowed (see `SmartTrustOptions`). Throws a FhirGatewayError whose
 * message can be shown to the user as it is.
 */
export function checkIss(iss: string, trust: SmartTrustOptions, pageOrigin: string): URL {
  const url = secureUrl(iss, 'record system address (iss)');
  if (url.search || url.hash) throw stop(`the record system address (iss) "${shown(url.href)}" has a query or fragment.`);
  const allowed = trust.allowedIss?.length ? trust.allowedIss : [pageOrigin];
  if (!allowed.some((a) => issMatches(url, a))) {
    throw stop(`this app is not set up to sign in to ${shown(url.href)}. Ask whoever runs the app to add that record system to its allowed list (kbs-allowed-iss).`);
  }
  return url;
}

/** An endpoint from the SMART configuration, checked: secure, and on the iss's origin or an allowed one. */
export function checkEndpoint(value: string | undefined, what: string, iss: URL, trust: SmartTrustOptions): URL {
  if (!value) throw stop(`the record system's SMART configuration has no ${what}.`);
  const url = secureUrl(value, what);
  const origins = [iss.origin, ...(trust.allowedAuthorizationServers ?? []).flatMap((o) => {
    try {
      return [new URL(o).origin];
    } catch {
      return [];
    }
  })];
  if (!origins.includes(url.origin)) {
    throw stop(`the ${what} is on ${shown(url.origin)}, which is not the record system and not an allowed sign-in service (kbs-allowed-authorization-servers).`);
  }
  return url;
}

async function discover(iss: URL, trust: SmartTrustOptions): Promise<oauth.AuthorizationServer> {
  const response = await fetch(`${trimSlash(iss.href)}/.well-known/smart-configuration`, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new FhirGatewayError('http', 'This record system does not offer SMART sign-in.', { status: response.status });
  const config = (await response.json()) as { issuer?: string; authorization_endpoint?: string; token_endpoint?: string };
  if (!config.authorization_endpoint || !config.token_endpoint) {
    throw new FhirGatewayError('invalid-input', "The record system's SMART configuration has no authorization or token endpoint.");
  }
  return {
    issuer: config.issuer ?? iss.href,
    authorization_endpoint: checkEndpoint(config.authorization_endpoint, 'authorization endpoint', iss, trust).href,
    token_endpoint: checkEndpoint(config.token_endpoint, 'token endpoint', iss, trust).href,
  };
}

/** Step 1: returns the authorization URL to send the browser to (see `smartAuthorize`). */
export async function smartAuthorizationUrl(options: SmartAuthorizeOptions): Promise<string> {
  const here = new URL(options.url ?? globalThis.location.href);
  const given = options.iss ?? here.searchParams.get('iss') ?? undefined;
  if (!given) throw new FhirGatewayError('invalid-input', 'No FHIR server was given for SMART sign-in (iss).');
  // Checked before anything is fetched from it; sent on as given (it is also the token's audience).
  const checked = checkIss(given, options, here.origin);
  const iss = given;
  const launch = options.launch ?? here.searchParams.get('launch') ?? undefined;
  const as = await discover(checked, options);
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
  options: SmartTrustOptions & { url?: string; storage?: Pick<Storage, 'getItem' | 'removeItem'>; gateway?: Omit<GatewayOptions, 'baseUrl' | 'token' | 'client'> } = {},
): Promise<SmartContext> {
  const url = new URL(options.url ?? globalThis.location.href);
  const state = url.searchParams.get('state') ?? '';
  const storage = options.storage ?? globalThis.sessionStorage;
  const saved = storage.getItem(`${KEY}${state}`);
  if (!saved) throw new FhirGatewayError('invalid-input', 'This sign-in was not started here, or has already been used. Launch the app again.');
  storage.removeItem(`${KEY}${state}`);
  const pending = JSON.parse(saved) as PendingLaunch;
  // Checked again here: the code and, after it, the token go only where this page allows.
  const iss = checkIss(pending.iss, options, url.origin);
  const tokenEndpoint = checkEndpoint(pending.as.token_endpoint, 'token endpoint', iss, options);
  const client: oauth.Client = { client_id: pending.clientId };
  const insecure = tokenEndpoint.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};
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
