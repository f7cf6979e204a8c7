/**
 * `/replay`: stored recordings, replays into replay wards, and the alarm-burden lab (issue 8). Everything is fetched
 * from the browser with the signed-in tab's token; the page itself carries no data.
 */
import type { Metadata } from 'next';
import { ReplayScreen } from './replay-screen.tsx';

export const metadata: Metadata = { title: 'Replay and alarm-burden lab — Vigil' };

export default function ReplayPage() {
  return <ReplayScreen />;
}
