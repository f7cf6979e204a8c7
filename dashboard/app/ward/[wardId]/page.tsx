/** `/ward/<wardId>`: reads the cloud URL at request time and hands it to the live (client) ward screen. */
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { WardId } from '@vigil/contracts';
import { getCloudUrl } from '../../cloud-url.ts';
import { WardScreen } from './ward-screen.tsx';

interface WardPageProps {
  params: Promise<{ wardId: string }>;
}

export async function generateMetadata({ params }: WardPageProps): Promise<Metadata> {
  const { wardId } = await params;
  return { title: `Ward ${wardId} — Vigil` };
}

export default async function WardPage({ params }: WardPageProps) {
  const parsed = WardId.safeParse((await params).wardId);
  if (!parsed.success) notFound();
  const cloudUrl = await getCloudUrl();
  // key: a different ward or cloud starts a fresh stream and fresh state.
  return <WardScreen key={`${cloudUrl}|${parsed.data}`} cloudUrl={cloudUrl} wardId={parsed.data} />;
}
