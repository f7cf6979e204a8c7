/** `/patient/<patientId>`: reads the cloud URL at request time and hands it to the live (client) patient screen. */
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { PatientId } from '@vigil/contracts';
import { getCloudUrl } from '../../cloud-url.ts';
import { PatientScreen } from './patient-screen.tsx';
import './patient-view.css';

interface PatientPageProps {
  params: Promise<{ patientId: string }>;
}

// The title names the bed view, not the patient: page titles end up in browser history and screen captures.
export const metadata: Metadata = { title: 'Patient — Vigil' };

/** The path segment as text; a malformed escape is simply not a patient id. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

export default async function PatientPage({ params }: PatientPageProps) {
  const parsed = PatientId.safeParse(decoded((await params).patientId));
  if (!parsed.success) notFound();
  const cloudUrl = await getCloudUrl();
  // key: another patient or cloud starts a fresh stream and fresh state.
  return <PatientScreen key={`${cloudUrl}|${parsed.data}`} cloudUrl={cloudUrl} patientId={parsed.data} />;
}
