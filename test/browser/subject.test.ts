/**
 * Clinical safety on host pages that are not our demo (issue: the right woman's record, restricted
 * data that never leaks). Each test reproduces a defect seen on a real host page and fails on the
 * code that had it:
 * 1. the routine enquiry kept the first baby's mother after the host switched to another baby, and
 *    a slow answer for the first baby could win;
 * 2. launched from the mother's own record it filed to her own mother; the baby templates took an
 *    adult as "the baby";
 * 3. an NHS number failing Modulus 11 was saved with no message;
 * 4. "Print a copy for the family" printed the whole host page, DA details included;
 * 5. a server copy of the routine enquiry without its restriction was used to file unlabelled records.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { completeEnquiry as complete, deepText, KBS, motherLink, NHS, openHarness, patient, pdfText, putAll, screenshot, useBrowserAndServer } from './support.js';
import { demoBirthDate } from '../../src/server/seed.js';

const env = useBrowserAndServer();

beforeAll(async () => {
  await putAll(env.server, [
    patient('grandmother', '9990000034', '1970-02-01'),
    motherLink('mother-of-mother', 'demo-mother', '9990000034'),
    patient('baby-b', '9990000042', demoBirthDate()),
    patient('mother-b', '9990000050', '1990-06-06'),
    motherLink('mother-of-baby-b', 'baby-b', '9990000050'),
  ]);
});

const responsesFor = async (patientId: string) => {
  const [, bundle] = await env.server.request('GET', `/QuestionnaireResponse?subject=Patient/${patientId}&_count=100`);
  return ((bundle as fhir4.Bundle).entry ?? []).map((e) => e.resource as fhir4.QuestionnaireResponse);
};

type El = HTMLElement & { ready: Promise<void>; subjectReady: Promise<void>; updateComplete: Promise<boolean>; recordSubject?: { reference?: string }; patient?: unknown; mother?: unknown };

describe('1. the routine enquiry follows the patient the host shows', () => {
  test('baby A then baby B: the enquiry files to baby B\'s mother', async () => {
    const page = await env.browser.newPage();
    await openHarness(page, env.server, '<main id="host"><kbs-domestic-abuse-enquiry></kbs-domestic-abuse-enquiry></main>');
    await page.evaluate(async () => {
      const da = document.querySelector('kbs-domestic-abuse-enquiry') as El;
      da.setAttribute('fhir-base-url', `${location.origin}/fhir`);
      da.patient = { reference: 'Patient/demo-baby' };
      await da.subjectReady;
    });
    expect(await page.evaluate(() => (document.querySelector('kbs-domestic-abuse-enquiry') as El).recordSubject)).toEqual({ reference: 'Patient/demo-mother' });
    await page.evaluate(async () => {
      const da = document.querySelector('kbs-domestic-abuse-enquiry') as El;
      da.patient = { reference: 'Patient/baby-b' };
      await da.subjectReady;
    });
    expect(await page.evaluate(() => (document.querySelector('kbs-domestic-abuse-enquiry') as El).recordSubject)).toEqual({ reference: 'Patient/mother-b' });
    expect((await complete(page)).status).toContain('Saved to the record');
    expect(await responsesFor('mother-b')).toHaveLength(1);
    expect(await responsesFor('demo-mother')).toHaveLength(0);
    await page.close();
  });

  test("a slow lookup for baby A that answers after the switch to baby B does not win", async () => {
    const page = await env.browser.newPage();
    await openHarness(page, env.server, '<main id="host"><kbs-domestic-abuse-enquiry></kbs-domestic-abuse-enquiry></main>');
    // Baby A's mother link answers late: after baby B's has been found.
    await page.route('**/fhir/RelatedPerson?**', async (route) => {
      if (route.request().url().includes('demo-baby')) await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await page.evaluate(async () => {
      const da = document.querySelector('kbs-domestic-abuse-enquiry') as El;
      da.setAttribute('fhir-base-url', `${location.origin}/fhir`);
      da.patient = { reference: 'Patient/demo-baby' };
      await new Promise((r) => setTimeout(r, 100));
      da.patient = { reference: 'Patient/baby-b' };
      await da.subjectReady;
      await new Promise((r) => setTimeout(r, 2000)); // A's answer has arrived by now
    });
    expect(await page.evaluate(() => (document.querySelector('kbs-domestic-abuse-enquiry') as El).recordSubject)).toEqual({ reference: 'Patient/mother-b' });
    const before = await responsesFor('demo-mother');
    expect((await complete(page)).status).toContain('Saved to the record');
    expect(await responsesFor('demo-mother')).toEqual(before);
    expect(await responsesFor('mother-b')).toHaveLength(2);
    await page.close();
  });

  test('answers given for one woman are dropped when the host switches to another, and the gate is asked again', async () => {
    const page = await env.browser.newPage();
    await openHarness(page, env.server, '<main id="host"><kbs-domestic-abuse-enquiry></kbs-domestic-abuse-enquiry></main>');
    const after = await page.evaluate(async ({ KBS }) => {
      const da = document.querySelector('kbs-domestic-abuse-enquiry') as El;
      da.setAttribute('fhir-base-url', `${location.origin}/fhir`);
      da.mother = { reference: 'Patient/demo-mother' };
      await da.subjectReady;
      const root = da.shadowRoot!;
      for (const key of ['alone', 'private', 'interpreter']) (root.getElementById(`gate-${key}-true`) as HTMLInputElement).click();
      (root.querySelector('.gate button') as HTMLButtonElement).click();
      await new Promise((r) => setTimeout(r, 100));
      const form = root.querySelector('kbs-questionnaire') as unknown as { setAnswers: (p: string, a: unknown[]) => void; state: { answers: Map<string, unknown[]> } };
      form.setAnswers('stage', [{ valueCoding: { system: KBS, code: 'stage-postnatal' } }]);
      da.mother = { reference: 'Patient/mother-b' };
      await da.subjectReady;
      await new Promise((r) => setTimeout(r, 100));
      return { gateShown: !!root.querySelector('.gate'), stage: (root.querySelector('kbs-questionnaire') as unknown as typeof form | null)?.state?.answers.get('stage') ?? [] };
    }, { KBS });
    expect(after.gateShown).toBe(true);
    expect(after.stage).toEqual([]);
    await page.close();
  });
});

describe('one element reused for another baby', () => {
  test("the bed-sharing family copy and outcome never carry the first baby's answers", async () => {
    const page = await env.browser.newPage();
    await page.addInitScript(() => {
      const w = window as unknown as { __copy?: string };
      const frameWindow = Object.getOwnPropertyDescriptor(HTMLIFrameElement.prototype, 'contentWindow')!;
      Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', {
        get(this: HTMLIFrameElement) {
          const win = frameWindow.get!.call(this) as Window | null;
          if (win) {
            // The print frame holds plain DOM (no shadow roots): every text node of it is on paper.
            win.print = () => {
              const walker = win.document.createTreeWalker(win.document.documentElement, NodeFilter.SHOW_TEXT);
              const parts: string[] = [];
              while (walker.nextNode()) parts.push(walker.currentNode.nodeValue ?? '');
              w.__copy = parts.join(' ');
            };
          }
          return win;
        },
      });
    });
    await openHarness(page, env.server, '<main id="host"><kbs-bed-sharing-assessment></kbs-bed-sharing-assessment></main>');
    const result = await page.evaluate(async () => {
      const bed = document.querySelector('kbs-bed-sharing-assessment') as El;
      bed.setAttribute('fhir-base-url', `${location.origin}/fhir`);
      bed.patient = { reference: 'Patient/demo-baby' };
      await bed.subjectReady;
      await bed.ready;
      const inner = () => bed.shadowRoot!.querySelector('kbs-questionnaire')!.shadowRoot!;
      (inner().querySelector('[data-path="checklist/alcohol"][data-option="Yes"]') as HTMLInputElement).click();
      await new Promise((r) => setTimeout(r, 100));
      const before = !!bed.shadowRoot!.querySelector('[part=explanation]');
      bed.patient = { reference: 'Patient/baby-b' };
      await bed.subjectReady;
      await new Promise((r) => setTimeout(r, 300));
      (bed.shadowRoot!.querySelector('[part=print]') as HTMLButtonElement).click();
      return { before, after: !!bed.shadowRoot!.querySelector('[part=explanation]'), copy: (window as unknown as { __copy?: string }).__copy ?? '' };
    });
    expect(result.before).toBe(true);
    expect(result.after).toBe(false);
    expect(result.copy).toContain('Have you or anyone who will share the bed with your baby had any alcohol?');
    expect(result.copy).not.toContain('Yes');
    expect(result.copy).not.toContain('You answered yes');
    await page.close();
  });
});

describe('2. launched from the mother\'s own record', () => {
  test('the enquiry files to her, never to her own mother; the baby templates refuse her as "the baby"', async () => {
    const page = await env.browser.newPage();
    await openHarness(page, env.server, '<main id="host"><kbs-domestic-abuse-enquiry></kbs-domestic-abuse-enquiry><kbs-eight-week-check></kbs-eight-week-check><kbs-bed-sharing-assessment></kbs-bed-sharing-assessment></main>');
    await page.evaluate(async () => {
      for (const el of Array.from(document.querySelectorAll('main > *')) as El[]) {
        el.setAttribute('fhir-base-url', `${location.origin}/fhir`);
        el.patient = { reference: 'Patient/demo-mother' };
        await el.subjectReady;
      }
    });
    const grandmotherBefore = await responsesFor('grandmother');
    const motherBefore = await responsesFor('demo-mother');
    expect((await complete(page)).status).toContain('Saved to the record');
    expect(await responsesFor('demo-mother')).toHaveLength(motherBefore.length + 1);
    expect(await responsesFor('grandmother')).toEqual(grandmotherBefore);

    const refusal = await page.evaluate(async () => {
      const check = document.querySelector('kbs-eight-week-check') as El;
      const problem = check.shadowRoot!.querySelector('[part=subject-problem]')?.textContent ?? '';
      const form = check.shadowRoot!.querySelector('kbs-questionnaire') as unknown as HTMLElement & { setAnswers: (p: string, a: unknown[]) => void; submit: () => Promise<unknown>; updateComplete: Promise<void> };
      form.setAnswers('kbs/advice-child-safety', [{ valueBoolean: true }]);
      await form.submit();
      await form.updateComplete;
      const bed = (document.querySelector('kbs-bed-sharing-assessment') as El).shadowRoot!.querySelector('[part=subject-problem]')?.textContent ?? '';
      return { problem, bed, status: form.shadowRoot!.querySelector('[role=status]')!.textContent ?? '' };
    });
    expect(refusal.problem).toContain("This template is for a baby, but the record open is an adult's");
    expect(refusal.bed).toContain("This template is for a baby, but the record open is an adult's");
    expect(refusal.status).toContain('Nothing will be saved');
    expect(await responsesFor('demo-mother')).toHaveLength(motherBefore.length + 1); // the enquiry only
    await page.close();
  });
});

describe('3. NHS numbers are checked on every path', () => {
  test('a baby given by an NHS number failing Modulus 11: a clear message, and nothing is saved', async () => {
    const page = await env.browser.newPage();
    await openHarness(page, env.server, '<main id="host"><kbs-eight-week-check></kbs-eight-week-check></main>');
    const [, before] = await env.server.request('GET', '/QuestionnaireResponse?_count=1000');
    const result = await page.evaluate(async ({ NHS }) => {
      const check = document.querySelector('kbs-eight-week-check') as El;
      check.setAttribute('fhir-base-url', `${location.origin}/fhir`);
      check.patient = { identifier: { system: NHS, value: '9990000019' } };
      await check.subjectReady;
      await check.ready;
      const form = check.shadowRoot!.querySelector('kbs-questionnaire') as unknown as HTMLElement & { setAnswers: (p: string, a: unknown[]) => void; submit: () => Promise<unknown>; updateComplete: Promise<void> };
      form.setAnswers('kbs/advice-child-safety', [{ valueBoolean: true }]);
      await form.submit();
      await form.updateComplete;
      return { problem: check.shadowRoot!.querySelector('[part=subject-problem]')?.textContent ?? '', status: form.shadowRoot!.querySelector('[role=status]')!.textContent ?? '' };
    }, { NHS });
    expect(result.problem).toContain('9990000019) is not a valid NHS number');
    expect(result.status).toContain('not a valid NHS number');
    const [, after] = await env.server.request('GET', '/QuestionnaireResponse?_count=1000');
    expect((after as fhir4.Bundle).entry?.length ?? 0).toBe((before as fhir4.Bundle).entry?.length ?? 0);
    await page.close();
  });
});

describe('4. the family copy prints alone', () => {
  test('a careless host page (no print CSS, a restricted record panel, the enquiry beside the assessment) prints only the assessment', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1100, height: 900 } });
    // Record how printing is asked for: the host window must never be printed by the button.
    await page.addInitScript(() => {
      const w = window as unknown as { __printed: string[]; __copyHtml?: string };
      w.__printed = [];
      window.print = () => void w.__printed.push('host page');
      const frameWindow = Object.getOwnPropertyDescriptor(HTMLIFrameElement.prototype, 'contentWindow')!;
      Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', {
        get(this: HTMLIFrameElement) {
          const win = frameWindow.get!.call(this) as Window | null;
          if (win && !(win as unknown as { __wrapped?: boolean }).__wrapped) {
            (win as unknown as { __wrapped: boolean }).__wrapped = true;
            win.print = () => {
              w.__printed.push('frame');
              w.__copyHtml = win.document.documentElement.outerHTML;
            };
          }
          return win;
        },
      });
    });
    await openHarness(page, env.server, `<main id="host">
        <aside id="record-panel"><h3>Mother's record (restricted)</h3><ul><li>Routine enquiry (mother only) — completed</li>
        <li>REQUESTED follow-up: Not completed because: Partner present</li></ul></aside>
        <kbs-domestic-abuse-enquiry></kbs-domestic-abuse-enquiry><kbs-bed-sharing-assessment></kbs-bed-sharing-assessment></main>`);
    await page.evaluate(async ({ KBS }) => {
      const da = document.querySelector('kbs-domestic-abuse-enquiry') as El;
      da.setAttribute('fhir-base-url', `${location.origin}/fhir`);
      da.mother = { reference: 'Patient/demo-mother' };
      const root = da.shadowRoot!;
      await da.ready;
      for (const key of ['alone', 'private', 'interpreter']) (root.getElementById(`gate-${key}-true`) as HTMLInputElement).click();
      (root.querySelector('.gate button') as HTMLButtonElement).click();
      await new Promise((r) => setTimeout(r, 200));
      const form = root.querySelector('kbs-questionnaire') as unknown as HTMLElement & { setAnswers: (p: string, a: unknown[]) => void; ready: Promise<void> };
      await form.ready;
      form.setAnswers('completed', [{ valueBoolean: true }]);
      form.setAnswers('enquiry/disclosure', [{ valueCoding: { system: KBS, code: 'disclosure-current', display: 'Current abuse disclosed' } }]);
      const bed = document.querySelector('kbs-bed-sharing-assessment') as El & { author?: unknown };
      bed.setAttribute('fhir-base-url', `${location.origin}/fhir`);
      bed.patient = { reference: 'Patient/demo-baby' };
      bed.author = { reference: 'Practitioner/demo-health-visitor', display: 'Priya Shah' };
      await bed.ready;
      const inner = bed.shadowRoot!.querySelector('kbs-questionnaire')!.shadowRoot!;
      (inner.querySelector('[data-path="contact"][data-option="Health visitor at the new birth visit"]') as HTMLInputElement).click();
      for (const r of ['smoking', 'alcohol']) (inner.querySelector(`[data-path="checklist/${r}"][data-option="Yes"]`) as HTMLInputElement).click();
      for (const r of ['drugs', 'tiredness', 'early-or-small', 'not-routine']) (inner.querySelector(`[data-path="checklist/${r}"][data-option="No"]`) as HTMLInputElement).click();
      await new Promise((r) => setTimeout(r, 100));
      (bed.shadowRoot!.querySelector('[part=print]') as HTMLButtonElement).click();
    }, { KBS });
    const { printed, copyHtml } = await page.evaluate(() => {
      const w = window as unknown as { __printed: string[]; __copyHtml?: string };
      return { printed: w.__printed, copyHtml: w.__copyHtml ?? '' };
    });
    expect(printed).toEqual(['frame']);

    // Chromium prints what the frame holds, to PDF; the PDF's text is what the family takes home.
    const printPage = await env.browser.newPage();
    await printPage.setContent(copyHtml);
    const text = await pdfText(await printPage.pdf({ format: 'A4' }));
    await printPage.close();
    for (const wanted of ['Put babies on their back for every sleep.', 'Smoking increases the risk of SIDS', 'You answered yes to', 'Have you or anyone who will share the bed with your baby had any alcohol?',
      'You are advised not to co-sleep/bed share', 'not about blame', 'Completed with you by Priya Shah (Health visitor)', 'Your copy,']) {
      expect(text).toContain(wanted);
    }
    for (const secret of ['Routine enquiry', 'routine enquiry', 'abuse', 'Abuse', 'Partner present', 'Not completed because', 'mother only', 'restricted', 'Is it safe to ask']) {
      expect(text).not.toContain(secret);
    }
    // The host page itself is also safe to print by hand: the enquiry never prints.
    await page.emulateMedia({ media: 'print' });
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('kbs-domestic-abuse-enquiry')!).display)).toBe('none');
    await screenshot(page, 'careless-host-page');
    await page.close();
  });

  test('the outcome is explained beside it, naming the answers that were yes', async () => {
    const page = await env.browser.newPage();
    await openHarness(page, env.server, '<main id="host"><kbs-bed-sharing-assessment></kbs-bed-sharing-assessment></main>');
    const result = await page.evaluate(async () => {
      const bed = document.querySelector('kbs-bed-sharing-assessment') as El;
      await bed.ready;
      const inner = bed.shadowRoot!.querySelector('kbs-questionnaire')!.shadowRoot!;
      (inner.querySelector('[data-path="checklist/tiredness"][data-option="Yes"]') as HTMLInputElement).click();
      await new Promise((r) => setTimeout(r, 100));
      const explanation = bed.shadowRoot!.querySelector('[part=explanation]') as HTMLElement;
      const slot = explanation.assignedSlot!;
      const outcome = inner.querySelector('[data-outcome="outcome-advised-not-to-bed-share"]');
      return {
        text: explanation.textContent!.replace(/\s+/g, ' '),
        // Beside the outcome: the slot follows the outcome and comes before the next section.
        afterOutcome: !!outcome && !!(outcome.compareDocumentPosition(slot) & Node.DOCUMENT_POSITION_FOLLOWING),
        beforeSleepPlace: !!(slot.compareDocumentPosition(inner.querySelector('[data-path="sleep-place/sleep-place-night"]')!) & Node.DOCUMENT_POSITION_FOLLOWING),
      };
    });
    expect(result.text).toContain('not about blame');
    expect(result.text).toContain('Are you or anyone who will share the bed with your baby excessively tired?');
    expect(result.afterOutcome).toBe(true);
    expect(result.beforeSleepPlace).toBe(true);
    await page.close();
  });

  test('choosing "Sofa or chair" shows the warning at once', async () => {
    const page = await env.browser.newPage();
    await openHarness(page, env.server, '<main id="host"><kbs-bed-sharing-assessment></kbs-bed-sharing-assessment></main>');
    const warning = 'Do not sleep with your baby on your sofa or armchair this increases the risk of Sudden Infant Death Syndrome (SIDS) by up to 50 times (Lullaby Trust)';
    const textAfter = async (option: string | undefined) => page.evaluate(async (option) => {
      const bed = document.querySelector('kbs-bed-sharing-assessment') as El;
      await bed.ready;
      const inner = bed.shadowRoot!.querySelector('kbs-questionnaire')!.shadowRoot!;
      if (option) (inner.querySelector(`[data-path="sleep-place/sleep-place-day"][data-option="${option}"]`) as HTMLInputElement).click();
      await new Promise((r) => setTimeout(r, 50));
      return Array.from(inner.querySelectorAll('.warning')).map((w) => w.textContent ?? '').join(' ');
    }, option);
    expect(await textAfter(undefined)).not.toContain('sofa or armchair');
    expect(await textAfter('Sofa or chair')).toContain(warning);
    expect(await textAfter('Cot')).not.toContain('sofa or armchair');
    await page.close();
  });
});

describe('the 8-week tally says only what is true', () => {
  test('"ticked — not saved yet" until the save is confirmed, then "recorded as given"; for the next baby it starts again', async () => {
    const page = await env.browser.newPage();
    await openHarness(page, env.server, '<main id="host"><kbs-eight-week-check></kbs-eight-week-check></main>');
    const tallies = await page.evaluate(async () => {
      const check = document.querySelector('kbs-eight-week-check') as El;
      check.setAttribute('fhir-base-url', `${location.origin}/fhir`);
      check.patient = { reference: 'Patient/demo-baby' };
      await check.subjectReady;
      await check.ready;
      const tally = () => check.shadowRoot!.querySelector('[part=tally]')!.textContent!.trim();
      const inner = check.shadowRoot!.querySelector('kbs-questionnaire')!;
      const seen = [tally()];
      for (const path of ['kbs/advice-child-safety', 'kbs/safer-sleep/info-infant-safe-sleeping', 'kbs/crying/advice-shaking-babies']) {
        (inner.shadowRoot!.querySelector(`[data-path="${path}"]`) as HTMLInputElement).click();
      }
      await check.updateComplete;
      seen.push(tally());
      const saved = new Promise((r) => check.addEventListener('kbs-saved', r, { once: true }));
      (inner.shadowRoot!.querySelector('button[type=submit]') as HTMLButtonElement).click();
      await saved;
      await check.updateComplete;
      seen.push(tally());
      // The same element, reused for the next baby: it starts again.
      check.patient = { reference: 'Patient/baby-b' };
      await check.subjectReady;
      await new Promise((r) => setTimeout(r, 300));
      seen.push(tally());
      return seen;
    });
    expect(tallies).toEqual(['0 of 3 messages ticked.', '3 of 3 messages ticked — not saved yet.', '3 of 3 messages recorded as given.', '0 of 3 messages ticked.']);
    await page.close();
  });
});

describe('5. restriction by definition', () => {
  test("a server copy of the routine enquiry without its restriction still files every resource with R + SDV", async () => {
    const [, found] = await env.server.request('GET', '/Questionnaire?url=https://kbs-record-templates.example.org/fhir/Questionnaire/kbs-domestic-abuse-enquiry');
    const stored = (found as fhir4.Bundle).entry![0]!.resource as fhir4.Questionnaire;
    const stripped = { ...stored, extension: stored.extension?.filter((e) => !e.url.endsWith('/restricted-record')) };
    const [outcome] = await env.server.request('PUT', `/Questionnaire/${stored.id}`, stripped);
    expect(outcome.issue?.filter((i) => i.severity === 'error') ?? []).toEqual([]);

    const page = await env.browser.newPage();
    await openHarness(page, env.server, '<main id="host"><kbs-domestic-abuse-enquiry></kbs-domestic-abuse-enquiry></main>');
    await page.evaluate(async () => {
      const da = document.querySelector('kbs-domestic-abuse-enquiry') as El;
      da.setAttribute('fhir-base-url', `${location.origin}/fhir`);
      da.mother = { reference: 'Patient/mother-b' };
      await da.subjectReady;
    });
    const before = new Set((await env.server.repo.allResources()).map((r) => `${r.resourceType}/${r.id}`));
    expect((await complete(page)).status).toContain('Saved to the record');
    const written = (await env.server.repo.allResources()).filter((r) => !before.has(`${r.resourceType}/${r.id}`));
    expect(written.map((r) => r.resourceType).sort()).toEqual(expect.arrayContaining(['Observation', 'Provenance', 'QuestionnaireResponse']));
    for (const resource of written) {
      expect(resource.meta?.security?.map((s) => s.code), resource.resourceType).toEqual(expect.arrayContaining(['R', 'SDV']));
    }
    // And it never prints.
    expect(await page.evaluate(() => document.querySelector('kbs-domestic-abuse-enquiry')!.shadowRoot!.querySelector('kbs-questionnaire')!.hasAttribute('restricted'))).toBe(true);
    expect(await deepText(page)).not.toContain('Nothing will be saved');
    await env.server.request('PUT', `/Questionnaire/${stored.id}`, stored);
    await page.close();
  });
});
