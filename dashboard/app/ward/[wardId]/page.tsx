/**
 * `/ward/<wardId>`: reads the runtime settings at request time (cloud URL, audio pause, whether the ward has an edge
 * fallback) and hands them to the live (client) ward screen. The edge's token is never put in the page
 * (app/api/edge-access/route.ts gives it to a verified session only).
 */
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { WardId } from '@vigil/contracts';
import { getCloudUrl } from '../../cloud-url.ts';
import { getAudioPauseS, getEdgeView } from '../../runtime-config.ts';
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
  const audioPauseS = await getAudioPauseS();
  // A misconfigured edge view is logged (runtime-config.ts) and leaves the ward without a fallback, not without a screen.
  const edgeConfigured = await getEdgeView(parsed.data).then(
    (view) => view !== null,
    () => false,
  );
  // key: a different ward or cloud starts a fresh stream and fresh state.
  return <WardScreen key={`${cloudUrl}|${parsed.data}`} cloudUrl={cloudUrl} wardId={parsed.data} audioPauseS={audioPauseS} edgeConfigured={edgeConfigured} />;
}
