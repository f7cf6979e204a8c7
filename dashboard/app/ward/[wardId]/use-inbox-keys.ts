'use client';
/**
 * Keyboard shortcuts of the ward screen (listed under the alarm inbox): j / ↓ next alarm, k / ↑ previous,
 * a acknowledge, p pause audio, e escalate the selected alarm, s sound on / off. Ignored while typing in a field and
 * with a modifier held, so browser shortcuts keep working.
 */
import { useEffect, useEffectEvent } from 'react';
import type { Alarm } from '@vigil/contracts';
import type { InboxAction } from './alarm-inbox.tsx';

export interface InboxKeyHandlers {
  alarms: readonly Alarm[];
  selectedId: string | null;
  select(id: string): void;
  act(alarm: Alarm, action: InboxAction): void;
  toggleSound(): void;
}

const ACTION_KEYS: Record<string, InboxAction> = { a: 'acknowledge', p: 'audio-pause', e: 'escalate' };

/** The id `step` rows away from the selection (clamped), or the first alarm when nothing is selected. */
export function moveSelection(alarms: readonly Alarm[], selectedId: string | null, step: number): string | null {
  if (alarms.length === 0) return null;
  const at = alarms.findIndex((a) => a.id === selectedId);
  if (at < 0) return alarms[0]!.id;
  return alarms[Math.min(alarms.length - 1, Math.max(0, at + step))]!.id;
}

export function useInboxKeys(handlers: InboxKeyHandlers): void {
  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target as HTMLElement | null;
    if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
    const { alarms, selectedId } = handlers;
    const key = event.key;
    if (key === 'j' || key === 'ArrowDown' || key === 'k' || key === 'ArrowUp') {
      const next = moveSelection(alarms, selectedId, key === 'j' || key === 'ArrowDown' ? 1 : -1);
      if (next) handlers.select(next);
      event.preventDefault();
      return;
    }
    if (key === 's') {
      handlers.toggleSound();
      return;
    }
    const action = ACTION_KEYS[key];
    if (!action) return;
    const alarm = alarms.find((a) => a.id === selectedId);
    if (alarm) handlers.act(alarm, action);
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKey(event);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
}
