/**
 * The SMART on FHIR app: launched by a record system (EHR launch: `?iss=…&launch=…`) or on its own
 * (`?iss=…`), it signs in, then shows the templates for the launch context's patient. The routine
 * enquiry finds the mother through the baby's record.
 *
 * The deployer names the record systems it may sign in to in the page, without rebuilding:
 * `<meta name="kbs-allowed-iss" content="https://ehr.example.org/fhir …">` (space-separated; empty or
 * absent: this page's own origin) and `<meta name="kbs-allowed-authorization-servers" content="…">`
 * for a sign-in service on another origin (which the page's CSP `connect-src` must also admit).
 */
import '../components/index.js';
import { completeSmartLaunch, smartAuthorize } from '../fhir/smart.js';
import { CONCEPT_MAPS } from '../components/generated/concept-maps.js';
import type { Reference } from '../engine/index.js';

const params = new URLSearchParams(location.search);
const status = document.getElementById('status')!;
const redirectUri = `${location.origin}${location.pathname}`;
const clientId = params.get('client_id') ?? 'kbs-record-templates';
const listIn = (name: string) => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content.split(/\s+/).filter(Boolean) ?? [];
const trust = { allowedIss: listIn('kbs-allowed-iss'), allowedAuthorizationServers: listIn('kbs-allowed-authorization-servers') };

try {
  if (params.has('code') || params.has('error')) {
    const context = await completeSmartLaunch({ ...trust, gateway: { conceptMaps: CONCEPT_MAPS } });
    history.replaceState(null, '', redirectUri); // the code is single-use: keep it out of the address bar
    if (!context.patient) throw new Error('the launch gave no patient');
    status.textContent = `Signed in to ${context.baseUrl}. Patient: ${context.patient.reference}${context.user ? ` · user ${context.user.reference}` : ''}`;
    const container = document.getElementById('templates')!;
    for (const tag of ['kbs-eight-week-check', 'kbs-bed-sharing-assessment', 'kbs-domestic-abuse-enquiry']) {
      const section = document.createElement('section');
      const element = document.createElement(tag) as HTMLElement & { patient?: Reference; encounter?: Reference; author?: Reference; gateway?: unknown };
      element.gateway = context.gateway;
      element.patient = context.patient;
      if (tag !== 'kbs-domestic-abuse-enquiry') element.encounter = context.encounter;
      element.author = context.user;
      section.append(element);
      container.append(section);
    }
  } else {
    await smartAuthorize({ ...trust, clientId, redirectUri, ...(params.get('scope') ? { scope: params.get('scope')! } : {}) });
  }
} catch (e) {
  status.textContent = `SMART sign-in did not work: ${(e as Error).message}`;
}
