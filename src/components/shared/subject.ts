/**
 * Whose record a template files to, worked out from what the host gave and what the record says,
 * before anything is written. Every path ends in a verified `Patient/<id>` or a sentence a
 * clinician understands; nothing in between is ever used.
 */
import { findInvalidNhsNumber, formatNhsNumber, NHS_NUMBER_SYSTEM, subjectKind, type Reference } from '../../engine/renderer.js';
import { FhirGatewayError } from '../../fhir/errors.js';
import type { KbsGateway } from '../../fhir/gateway.js';

/** A reason the subject cannot be used; `message` is for the clinician. */
export class SubjectProblem extends Error {
  override readonly name = 'SubjectProblem';
  /** The record system could not be reached (or refused the sign-in): worth checking again later. */
  constructor(message: string, readonly transient = false) {
    super(message);
  }
}

const transient = (e: unknown) => e instanceof FhirGatewayError && (e.retryable || e.status === 401 || e.status === 403);

const PATIENT_REFERENCE = /^(?:https?:\/\/[^?#]+\/)?Patient\/([A-Za-z0-9\-.]{1,64})$/;

/** The NHS number in a reference, checked; undefined when it carries none. */
function nhsNumberOf(reference: Reference): string | undefined {
  const invalid = findInvalidNhsNumber(reference);
  if (invalid !== undefined) throw new SubjectProblem(`The NHS number given by the record system (${invalid}) is not a valid NHS number, so nothing will be saved. Check the patient's details.`);
  return reference.identifier?.system === NHS_NUMBER_SYSTEM ? reference.identifier.value : undefined;
}

/**
 * Reads the patient a reference points at: `Patient/<id>` (relative or absolute) or an NHS number
 * identifier. Without a gateway it checks what it can (the reference's shape and NHS number) and
 * returns undefined: the host then saves for itself and is answerable for the subject.
 */
export async function readPatient(gateway: KbsGateway | undefined, reference: Reference, whose: string): Promise<fhir4.Patient | undefined> {
  const nhsNumber = nhsNumberOf(reference);
  const id = reference.reference ? PATIENT_REFERENCE.exec(reference.reference)?.[1] : undefined;
  if (reference.reference && !id) throw new SubjectProblem(`The ${whose} reference given by the record system ("${reference.reference}") is not a patient record, so nothing will be saved.`);
  if (!id && !nhsNumber) throw new SubjectProblem(`The record system did not say which patient this is (no record id or NHS number for the ${whose}), so nothing will be saved.`);
  if (!gateway) return undefined;
  let patient: fhir4.Patient;
  try {
    patient = await gateway.resolvePatient(id ? { id } : { nhsNumber: nhsNumber! });
  } catch (e) {
    throw new SubjectProblem(`The ${whose}'s record could not be read: ${(e as Error).message} Nothing will be saved until it can.`, transient(e));
  }
  const recorded = patient.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value;
  if (nhsNumber && recorded && recorded.replace(/\s/g, '') !== nhsNumber.replace(/\s/g, '')) {
    throw new SubjectProblem(`The NHS number given (${formatNhsNumber(nhsNumber)}) is not the one on the ${whose}'s record (${formatNhsNumber(recorded)}), so nothing will be saved. Check the patient's details.`);
  }
  const invalid = findInvalidNhsNumber(patient.identifier);
  if (invalid !== undefined) throw new SubjectProblem(`The NHS number on the ${whose}'s record (${invalid}) is not a valid NHS number, so nothing will be saved. Check the patient's details.`);
  return patient;
}

/** `{ reference: 'Patient/<id>' }`, keeping the host's display when it pointed at the same record. */
export function referenceTo(patient: fhir4.Patient, given?: Reference): Reference {
  const reference = `Patient/${patient.id}`;
  return given?.display && given.reference && PATIENT_REFERENCE.exec(given.reference)?.[1] === patient.id ? { reference, display: given.display } : { reference };
}

const described = (patient: fhir4.Patient) => (patient.birthDate ? `born ${patient.birthDate}` : 'no date of birth recorded');

/** The baby templates: the subject must be a baby. */
export async function findBaby(gateway: KbsGateway | undefined, patient: Reference | undefined, now: Date): Promise<Reference> {
  if (!patient) throw new SubjectProblem('No patient is selected, so nothing will be saved. Open this template from the baby\'s record.');
  const record = await readPatient(gateway, patient, 'baby');
  if (!record) return patient;
  const kind = subjectKind(record, now);
  if (kind === 'baby') return referenceTo(record, patient);
  if (kind === 'unknown') throw new SubjectProblem(`This record has no usable date of birth (${described(record)}), so it cannot be confirmed as the baby's record. Nothing will be saved.`);
  throw new SubjectProblem(`This template is for a baby, but the record open is ${kind === 'adult' ? 'an adult\'s' : 'a child\'s'} (${described(record)}). Nothing will be saved. Open it from the baby's record.`);
}

/**
 * The routine enquiry: the woman asked, never the baby and never a generation up.
 * - `mother` given: she is the subject (checked not to be a baby or child), and where the baby is
 *   also given and the baby's record names a different mother, nothing is saved.
 * - otherwise the context patient: an adult is the mother herself; a baby leads to the mother
 *   recorded on the baby's record (RelatedPerson MTH); anything else stops.
 */
export async function findMother(gateway: KbsGateway | undefined, given: { mother?: Reference; patient?: Reference }, now: Date): Promise<Reference> {
  if (given.mother) {
    const mother = await readPatient(gateway, given.mother, 'mother');
    if (!mother) return given.mother;
    const kind = subjectKind(mother, now);
    if (kind === 'baby' || kind === 'child') throw new SubjectProblem(`The record given as the mother's is ${kind === 'baby' ? 'a baby\'s' : 'a child\'s'} (${described(mother)}). Nothing will be saved.`);
    if (given.patient) {
      const context = await readPatient(gateway, given.patient, 'patient');
      if (context && context.id !== mother.id) {
        if (subjectKind(context, now) !== 'baby') throw new SubjectProblem('The record open and the mother given by the record system are two different adults, so it is not clear whose record this enquiry belongs in. Nothing will be saved.');
        const recorded = await gateway!.resolveMother(context).catch(() => undefined);
        if (recorded && recorded.id !== mother.id) throw new SubjectProblem("The mother given by the record system is not the mother recorded on this baby's record, so nothing will be saved. Check the family's details.");
      }
    }
    return referenceTo(mother, given.mother);
  }
  if (!given.patient) throw new SubjectProblem("The mother's record is not known (no patient is selected), so nothing will be saved.");
  if (!gateway) throw new SubjectProblem("The mother's record is not known and this page has no connection to the record system to find it, so nothing will be saved.");
  const context = (await readPatient(gateway, given.patient, 'patient'))!;
  const kind = subjectKind(context, now);
  if (kind === 'adult') return referenceTo(context, given.patient);
  if (kind === 'baby') {
    let mother: fhir4.Patient;
    try {
      mother = await gateway.resolveMother(context);
    } catch (e) {
      throw new SubjectProblem(`The mother's record could not be found from the baby's record: ${(e as Error).message} Nothing will be saved until it is.`, transient(e));
    }
    const motherKind = subjectKind(mother, now);
    if (motherKind === 'baby' || motherKind === 'child') throw new SubjectProblem(`The record linked as the baby's mother is ${motherKind === 'baby' ? 'a baby\'s' : 'a child\'s'} (${described(mother)}). Nothing will be saved. Check the family's details.`);
    return referenceTo(mother);
  }
  if (kind === 'child') throw new SubjectProblem(`The record open is a child's (${described(context)}), not a baby's or the mother's. Nothing will be saved. Open the enquiry from the mother's record.`);
  throw new SubjectProblem("The record open has no usable date of birth, so it is not clear whether it is the baby's or the mother's. Nothing will be saved. Open the enquiry from the mother's record.");
}
