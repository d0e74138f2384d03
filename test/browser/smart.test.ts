/**
 * SMART App Launch in Chromium: an EHR launch against the embedded FHIR server, with a stand-in
 * authorization server (Playwright routes on the same origin) that checks PKCE and hands back a
 * patient context. The app must sign in, use the bearer token on every FHIR call, and file to the
 * launched patient.
 */
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { useBrowserAndServer } from './support.js';

const env = useBrowserAndServer();
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

test('EHR launch: PKCE sign-in, launch context, bearer token on every FHIR request, record filed to the patient', async () => {
  const page = await env.browser.newPage();
  const { url, baseUrl } = env.server;
  let authorizeQuery: URLSearchParams | undefined;
  let tokenForm: URLSearchParams | undefined;
  const fhirAuth: string[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith(`${baseUrl}/`) && !r.url().includes('.well-known')) fhirAuth.push(r.headers().authorization ?? 'none');
  });
  await page.route(`${baseUrl}/.well-known/smart-configuration`, (route) => route.fulfill({
    contentType: 'application/json',
    body: JSON.stringify({ authorization_endpoint: `${url}/oauth/authorize`, token_endpoint: `${url}/oauth/token`, capabilities: ['launch-ehr', 'client-public', 'context-ehr-patient'], code_challenge_methods_supported: ['S256'] }),
  }));
  await page.route(`${url}/oauth/authorize?**`, (route) => {
    authorizeQuery = new URL(route.request().url()).searchParams;
    const back = new URL(authorizeQuery.get('redirect_uri')!);
    back.searchParams.set('code', 'code-123');
    back.searchParams.set('state', authorizeQuery.get('state')!);
    return route.fulfill({ status: 302, headers: { location: back.href } });
  });
  await page.route(`${url}/oauth/token`, (route) => {
    tokenForm = new URLSearchParams(route.request().postData() ?? '');
    // RFC 7636 S256: the challenge sent to /authorize is base64url(SHA-256(verifier sent to /token)).
    const verifier = tokenForm.get('code_verifier') ?? '';
    const ok = tokenForm.get('grant_type') === 'authorization_code' && tokenForm.get('code') === 'code-123' &&
      /^[A-Za-z0-9._~-]{43,128}$/.test(verifier) && authorizeQuery?.get('code_challenge') === s256(verifier);
    return route.fulfill(ok
      ? { contentType: 'application/json', body: JSON.stringify({ access_token: 'token-123', token_type: 'bearer', scope: authorizeQuery!.get('scope'), patient: 'demo-baby' }) }
      : { status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'invalid_grant' }) });
  });

  await page.goto(`${url}/smart/?iss=${encodeURIComponent(baseUrl)}&launch=launch-abc`);
  await expect.poll(() => page.locator('#status').innerText(), { timeout: 15_000 }).toContain('Patient: Patient/demo-baby');
  expect(authorizeQuery!.get('launch')).toBe('launch-abc');
  expect(authorizeQuery!.get('aud')).toBe(baseUrl);
  expect(authorizeQuery!.get('code_challenge_method')).toBe('S256');
  // Guards the mutation "send the verifier (or any other value) as code_challenge" in src/fhir/smart.ts.
  expect(authorizeQuery!.get('code_challenge')).toBe(s256(tokenForm!.get('code_verifier')!));
  expect(authorizeQuery!.get('scope')).toMatch(/(^| )launch( |$)/);
  expect(tokenForm!.get('redirect_uri')).toBe(`${url}/smart/`);
  expect(page.url()).not.toContain('code-123'); // the single-use code is removed from the address bar

  // Tick one message and save: it is filed for the launched patient, with the token.
  await page.evaluate(async () => {
    const check = document.querySelector('kbs-eight-week-check') as HTMLElement & { ready: Promise<void> };
    await check.ready;
    const form = check.shadowRoot!.querySelector('kbs-questionnaire')!.shadowRoot!;
    (form.querySelector('[data-path="kbs/advice-child-safety"]') as HTMLInputElement).click();
    (form.querySelector('button[type=submit]') as HTMLButtonElement).click();
  });
  await expect.poll(async () => {
    const [, found] = await env.server.request('GET', '/QuestionnaireResponse?subject=Patient/demo-baby');
    return ((found as fhir4.Bundle).entry ?? []).length;
  }, { timeout: 30_000 }).toBe(1);
  expect(fhirAuth.length).toBeGreaterThan(0);
  expect(new Set(fhirAuth)).toEqual(new Set(['Bearer token-123']));
  await page.close();
});

test('a redirect that was not started here is refused with a clear message', async () => {
  const page = await env.browser.newPage();
  await page.goto(`${env.server.url}/smart/?code=stolen&state=unknown`);
  await expect.poll(() => page.locator('#status').innerText()).toContain('This sign-in was not started here');
  await page.close();
});

/**
 * Launches that must stop on the page, with a message, before any redirect: what the page fetched,
 * where it went and whether any script ran are all recorded.
 */
describe('a launch the deployer has not allowed', () => {
  const FOREIGN = 'http://127.0.0.2:9';

  async function launchWith(page: Page, iss: string, config?: Record<string, string>, pageChange?: (html: string) => string) {
    const requests: string[] = [];
    const navigations: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations.push(f.url());
    });
    if (config) {
      await page.route(`${env.server.baseUrl}/.well-known/smart-configuration`, (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(config) }));
    }
    if (pageChange) {
      await page.route(`${env.server.url}/smart/?**`, async (route) => {
        const original = await route.fetch();
        const headers = { ...original.headers() };
        delete headers['content-security-policy']; // so the check, not the CSP, is what stops a javascript: URL
        return route.fulfill({ response: original, headers, body: pageChange(await original.text()) });
      });
    }
    const start = `${env.server.url}/smart/?iss=${encodeURIComponent(iss)}&launch=launch-abc`;
    await page.goto(start);
    await expect.poll(() => page.locator('#status').innerText(), { timeout: 15_000 }).toContain('SMART sign-in did not work');
    await page.waitForTimeout(300);
    return { start, requests, navigations, status: await page.locator('#status').innerText(), xss: await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss) };
  }

  test('a foreign iss: stopped with a message, nothing fetched from it, no navigation', async () => {
    const page = await env.browser.newPage();
    const r = await launchWith(page, `${FOREIGN}/fhir`);
    expect(r.status).toContain(`this app is not set up to sign in to ${FOREIGN}/fhir`);
    expect(r.requests.filter((u) => u.startsWith(FOREIGN))).toEqual([]);
    expect(r.navigations).toEqual([r.start]);
    await page.close();
  });

  test('a javascript: authorization endpoint (page without CSP): stopped, no script runs, no navigation', async () => {
    const page = await env.browser.newPage();
    const r = await launchWith(page, env.server.baseUrl, { authorization_endpoint: 'javascript:window.__xss=1', token_endpoint: `${env.server.url}/oauth/token` }, (html) => html);
    expect(r.status).toContain('the authorization endpoint "javascript:window.__xss=1" is not a secure (https) address');
    expect(r.xss).toBeUndefined();
    expect(r.navigations).toEqual([r.start]);
    await page.close();
  });

  test('an http: authorization endpoint off loopback: stopped, nothing sent there, no navigation', async () => {
    const page = await env.browser.newPage();
    const r = await launchWith(page, env.server.baseUrl, { authorization_endpoint: 'http://auth.example.org/authorize', token_endpoint: `${env.server.url}/oauth/token` }, (html) => html);
    expect(r.status).toContain('"http://auth.example.org/authorize" is not a secure (https) address');
    expect(r.requests.filter((u) => u.includes('auth.example.org'))).toEqual([]);
    expect(r.navigations).toEqual([r.start]);
    await page.close();
  });

  test('a token endpoint on another host: stopped before the redirect, so no code or token ever goes there', async () => {
    const page = await env.browser.newPage();
    const r = await launchWith(page, env.server.baseUrl, { authorization_endpoint: `${env.server.url}/oauth/authorize`, token_endpoint: `${FOREIGN}/oauth/token` });
    expect(r.status).toContain(`the token endpoint is on ${FOREIGN}, which is not the record system`);
    expect(r.requests.filter((u) => u.includes('/oauth/'))).toEqual([]);
    expect(r.navigations).toEqual([r.start]);
    await page.close();
  });

  test("the deployer's list in the page replaces the default (the page's own origin)", async () => {
    const page = await env.browser.newPage();
    const r = await launchWith(page, env.server.baseUrl, undefined, (html) => html.replace('name="kbs-allowed-iss" content=""', 'name="kbs-allowed-iss" content="https://ehr.example.org/fhir"'));
    expect(r.status).toContain(`this app is not set up to sign in to ${env.server.baseUrl}`);
    expect(r.requests.filter((u) => u.includes('.well-known'))).toEqual([]);
    await page.close();
  });
});
