/**
 * SMART EHR launch from different records: the routine enquiry files to the mother whichever record
 * it was launched from, and an ambiguous family stops before any write with a sentence that says
 * why. The authorization server is a stand-in (Playwright routes on the same origin), as in
 * smart.test.ts; the FHIR server is the real embedded one.
 */
import type { Page } from 'playwright-core';
import { beforeAll, expect, test } from 'vitest';
import { completeEnquiry, motherLink, patient, putAll, useBrowserAndServer } from './support.js';
import { demoBirthDate } from '../../src/server/seed.js';

const env = useBrowserAndServer();

beforeAll(async () => {
  await putAll(env.server, [
    // The mother's own mother is on her record: launched from the mother, she must never be the subject.
    patient('grandmother', '9990000034', '1970-02-01'),
    motherLink('mother-of-mother', 'demo-mother', '9990000034'),
    // A baby with two mothers recorded: ambiguous.
    patient('baby-two-mothers', '9990000077', demoBirthDate()),
    patient('mother-b', '9990000050', '1990-06-06'),
    motherLink('two-1', 'baby-two-mothers', '9990000050'),
    motherLink('two-2', 'baby-two-mothers', '9990000026'),
  ]);
});

/** An EHR launch whose token response carries `patient`. */
async function launch(page: Page, patient: string): Promise<void> {
  const { url, baseUrl } = env.server;
  await page.route(`${baseUrl}/.well-known/smart-configuration`, (route) => route.fulfill({
    contentType: 'application/json',
    body: JSON.stringify({ authorization_endpoint: `${url}/oauth/authorize`, token_endpoint: `${url}/oauth/token`, capabilities: ['launch-ehr', 'client-public'], code_challenge_methods_supported: ['S256'] }),
  }));
  await page.route(`${url}/oauth/authorize?**`, (route) => {
    const query = new URL(route.request().url()).searchParams;
    const back = new URL(query.get('redirect_uri')!);
    back.searchParams.set('code', 'code-1');
    back.searchParams.set('state', query.get('state')!);
    return route.fulfill({ status: 302, headers: { location: back.href } });
  });
  await page.route(`${url}/oauth/token`, (route) => route.fulfill({
    contentType: 'application/json', body: JSON.stringify({ access_token: 'token-1', token_type: 'bearer', scope: 'launch patient/*.*', patient }),
  }));
  await page.goto(`${url}/smart/?iss=${encodeURIComponent(baseUrl)}&launch=l-1`);
  await expect.poll(() => page.locator('#status').innerText(), { timeout: 15_000 }).toContain(`Patient: Patient/${patient}`);
}

const enquiriesFor = async (id: string) => {
  const [, bundle] = await env.server.request('GET', `/QuestionnaireResponse?subject=Patient/${id}`);
  return ((bundle as fhir4.Bundle).entry ?? []).length;
};

test("launched from the mother's record: the enquiry files to her, not to her own mother", async () => {
  const page = await env.browser.newPage();
  await launch(page, 'demo-mother');
  const [mother, grandmother] = [await enquiriesFor('demo-mother'), await enquiriesFor('grandmother')];
  const result = await completeEnquiry(page);
  expect(result.subject).toBe('Patient/demo-mother');
  expect(result.status).toContain('Saved to the record');
  expect(await enquiriesFor('demo-mother')).toBe(mother + 1);
  expect(await enquiriesFor('grandmother')).toBe(grandmother);
  await page.close();
});

test("launched from the baby's record: the enquiry files to the baby's mother", async () => {
  const page = await env.browser.newPage();
  await launch(page, 'demo-baby');
  const before = await enquiriesFor('demo-mother');
  const result = await completeEnquiry(page);
  expect(result.subject).toBe('Patient/demo-mother');
  expect(result.status).toContain('Saved to the record');
  expect(await enquiriesFor('demo-mother')).toBe(before + 1);
  expect(await enquiriesFor('demo-baby')).toBe(0);
  await page.close();
});

test('an ambiguous family: nothing is written, and the message says why', async () => {
  const page = await env.browser.newPage();
  await launch(page, 'baby-two-mothers');
  const before = (await env.server.repo.allResources()).length;
  const result = await completeEnquiry(page);
  expect(result.subject).toBeUndefined();
  expect(result.problem).toContain("The mother's record could not be found from the baby's record: More than one record of the baby's mother matches");
  expect(result.status).toContain('Nothing will be saved');
  expect((await env.server.repo.allResources()).length).toBe(before);
  await page.close();
});
