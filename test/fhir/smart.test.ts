/**
 * Which record systems and endpoints SMART sign-in will talk to. Table-driven checks of the iss and
 * of the discovered endpoints, then both launch steps against msw: a launch that is not allowed
 * stops before anything is fetched, stored or sent, and one that is allowed carries a PKCE
 * challenge that matches its verifier.
 */
import { createHash } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { checkEndpoint, checkIss, completeSmartLaunch, smartAuthorizationUrl, type SmartTrustOptions } from '../../src/fhir/smart.js';

const APP = 'https://app.example.org';
const EHR = 'https://ehr.example.org/fhir';

describe('checkIss', () => {
  const cases: [iss: string, allowedIss: string[] | undefined, allowed: boolean][] = [
    [EHR, [EHR], true],
    [`${EHR}/`, [EHR], true],
    [`${EHR}/r4`, [EHR], true],
    [`${EHR}-evil`, [EHR], false],
    ['https://ehr.example.org.evil.com/fhir', ['https://ehr.example.org'], false],
    ['https://EHR.example.org/fhir', ['https://ehr.example.org'], true],
    ['https://ehr.example.org:8443/fhir', ['https://ehr.example.org'], false],
    ['https://evil.example/fhir', undefined, false],
    [`${APP}/fhir`, undefined, true], // the page's own origin is the default
    [`${APP}/fhir`, [], true],
    [`${APP}/fhir`, [EHR], false], // a configured list replaces the default
    ['http://ehr.example.org/fhir', ['http://ehr.example.org'], false], // http only on loopback
    ['http://127.0.0.1:8080/fhir', ['http://127.0.0.1:8080'], true],
    ['http://127.1:8080/fhir', ['http://127.0.0.1:8080'], true],
    ['http://localhost:3000/fhir', ['http://localhost:3000'], true],
    ['http://[::1]:3000/fhir', ['http://[::1]:3000'], true],
    ['http://127.0.0.1.evil.com/fhir', ['http://127.0.0.1.evil.com'], false],
    ['javascript:alert(1)', ['javascript:alert(1)'], false],
    ['https://user:pw@ehr.example.org/fhir', ['https://ehr.example.org'], false],
    [`${EHR}?x=1`, [EHR], false],
    ['not a url', [EHR], false],
  ];
  test.each(cases)('%s with allowed %j → %s', (iss, allowedIss, allowed) => {
    const run = () => checkIss(iss, { allowedIss }, APP);
    if (allowed) expect(run().origin).toBeTruthy();
    else expect(run).toThrow(/^Sign-in stopped: /);
  });

  test('says what to do when a record system is not on the list', () => {
    expect(() => checkIss('https://evil.example/fhir', {}, APP)).toThrow('this app is not set up to sign in to https://evil.example/fhir. Ask whoever runs the app to add that record system to its allowed list (kbs-allowed-iss).');
  });
});

describe('checkEndpoint', () => {
  const iss = new URL(EHR);
  const login = { allowedAuthorizationServers: ['https://login.example.org'] };
  const cases: [endpoint: string | undefined, trust: SmartTrustOptions, allowed: boolean][] = [
    ['https://ehr.example.org/oauth/authorize', {}, true],
    ['https://login.example.org/authorize', {}, false],
    ['https://login.example.org/authorize', login, true],
    ['https://login.example.org.evil.com/authorize', login, false],
    ['https://ehr.example.org:8443/authorize', {}, false],
    ['http://ehr.example.org/authorize', {}, false],
    ['http://127.0.0.1:9/authorize', {}, false], // loopback is secure, but not the record system
    ['javascript:alert(1)', {}, false],
    ['  javascript:alert(1)', {}, false],
    ['data:text/html,<script>alert(1)</script>', {}, false],
    ['/oauth/authorize', {}, false],
    [undefined, {}, false],
  ];
  test.each(cases)('%s (%j) → %s', (endpoint, trust, allowed) => {
    const run = () => checkEndpoint(endpoint, 'authorization endpoint', iss, trust);
    if (allowed) expect(run().href).toBe(endpoint);
    else expect(run).toThrow(/^Sign-in stopped: /);
  });
});

function memoryStorage() {
  const map = new Map<string, string>();
  return { map, getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) };
}

const seen: string[] = [];
const mock = setupServer();
let smartConfiguration: Record<string, string> = {};
beforeAll(() => mock.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  seen.length = 0;
  mock.resetHandlers();
});
afterAll(() => mock.close());

function serve() {
  mock.use(
    http.get(`${EHR}/.well-known/smart-configuration`, ({ request }) => {
      seen.push(request.url);
      return HttpResponse.json(smartConfiguration);
    }),
    http.get('https://evil.example/*', ({ request }) => {
      seen.push(request.url);
      return HttpResponse.json({});
    }),
    http.post('*/token', async ({ request }) => {
      seen.push(`${request.url} ${await request.text()}`);
      return HttpResponse.json({ access_token: 'token-123', token_type: 'bearer', patient: 'demo-baby' });
    }),
  );
}

describe('smartAuthorizationUrl', () => {
  const base = { clientId: 'kbs', redirectUri: `${APP}/smart/`, allowedIss: [EHR] };

  test('a foreign iss stops before its configuration is fetched, and nothing is stored', async () => {
    serve();
    const storage = memoryStorage();
    await expect(smartAuthorizationUrl({ ...base, url: `${APP}/smart/?iss=https://evil.example/fhir&launch=x`, storage })).rejects.toThrow('not set up to sign in to https://evil.example/fhir');
    expect(seen).toEqual([]);
    expect(storage.map.size).toBe(0);
  });

  test.each([
    ['javascript:window.__xss=1', 'not a secure (https) address'],
    ['http://auth.example.org/authorize', 'not a secure (https) address'],
    ['https://evil.example/authorize', 'is on https://evil.example, which is not the record system'],
  ])('an authorization endpoint of %s stops the launch', async (endpoint, message) => {
    serve();
    smartConfiguration = { authorization_endpoint: endpoint, token_endpoint: 'https://ehr.example.org/token' };
    const storage = memoryStorage();
    await expect(smartAuthorizationUrl({ ...base, url: `${APP}/smart/?iss=${EHR}`, storage })).rejects.toThrow(message);
    expect(storage.map.size).toBe(0);
  });

  test('a token endpoint elsewhere stops the launch before the redirect', async () => {
    serve();
    smartConfiguration = { authorization_endpoint: 'https://ehr.example.org/authorize', token_endpoint: 'https://evil.example/token' };
    await expect(smartAuthorizationUrl({ ...base, url: `${APP}/smart/?iss=${EHR}`, storage: memoryStorage() })).rejects.toThrow('token endpoint is on https://evil.example');
  });

  test('an allowed separate sign-in service: redirect there with a PKCE challenge that matches the verifier', async () => {
    serve();
    smartConfiguration = { authorization_endpoint: 'https://login.example.org/authorize', token_endpoint: 'https://login.example.org/token' };
    const storage = memoryStorage();
    const url = new URL(await smartAuthorizationUrl({ ...base, allowedAuthorizationServers: ['https://login.example.org'], url: `${APP}/smart/?iss=${EHR}&launch=l1`, storage }));
    expect(url.origin).toBe('https://login.example.org');
    expect(url.searchParams.get('aud')).toBe(EHR);
    const [, saved] = [...storage.map][0]!;
    const verifier = (JSON.parse(saved) as { verifier: string }).verifier;
    expect(url.searchParams.get('code_challenge')).toBe(createHash('sha256').update(verifier).digest('base64url'));
  });
});

describe('completeSmartLaunch', () => {
  const pending = (tokenEndpoint: string, iss = EHR) => JSON.stringify({
    iss, clientId: 'kbs', redirectUri: `${APP}/smart/`, verifier: 'v'.repeat(43),
    as: { issuer: iss, authorization_endpoint: 'https://ehr.example.org/authorize', token_endpoint: tokenEndpoint },
  });

  test.each([
    ['https://evil.example/token', EHR, 'token endpoint is on https://evil.example'],
    ['https://evil.example/token', 'https://evil.example/fhir', 'not set up to sign in to https://evil.example/fhir'],
  ])('a saved launch pointing at %s (iss %s) is refused before the code is sent', async (tokenEndpoint, iss, message) => {
    serve();
    const storage = memoryStorage();
    storage.setItem('kbs-smart-launch:s1', pending(tokenEndpoint, iss));
    await expect(completeSmartLaunch({ allowedIss: [EHR], url: `${APP}/smart/?code=c1&state=s1`, storage })).rejects.toThrow(message);
    expect(seen).toEqual([]);
  });

  test('an allowed launch exchanges the code at the record system', async () => {
    serve();
    const storage = memoryStorage();
    storage.setItem('kbs-smart-launch:s1', pending('https://ehr.example.org/token'));
    const context = await completeSmartLaunch({ allowedIss: [EHR], url: `${APP}/smart/?code=c1&state=s1&iss=${encodeURIComponent(EHR)}`, storage });
    expect(context.patient).toEqual({ reference: 'Patient/demo-baby' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^https:\/\/ehr\.example\.org\/token .*code=c1/);
  });
});
