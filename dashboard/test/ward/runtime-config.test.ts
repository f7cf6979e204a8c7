import { describe, expect, it } from 'vitest';
import { DEFAULT_AUDIO_PAUSE_S, parseAudioPauseS, parseEdgeViews } from '../../app/runtime-config.ts';

describe('dashboard runtime config', () => {
  it('parses the edge views and refuses bad entries by variable name', () => {
    expect([...parseEdgeViews('ward-a=http://edge-a:4100/, ward-b=https://edge-b')]).toEqual([
      ['ward-a', 'http://edge-a:4100'],
      ['ward-b', 'https://edge-b'],
    ]);
    expect(parseEdgeViews(undefined).size).toBe(0);
    expect(() => parseEdgeViews('ward-a')).toThrow(/VIGIL_DASHBOARD_EDGE_VIEWS: "ward-a" is not wardId=url/);
    expect(() => parseEdgeViews('ward-a=not a url')).toThrow(/no valid URL/);
    expect(() => parseEdgeViews('ward-a=ftp://edge')).toThrow(/only http/);
  });

  it('takes an audio pause of 1–600 s, default 2 min', () => {
    expect(parseAudioPauseS(undefined)).toBe(DEFAULT_AUDIO_PAUSE_S);
    expect(parseAudioPauseS('30')).toBe(30);
    expect(() => parseAudioPauseS('0')).toThrow(/VIGIL_DASHBOARD_AUDIO_PAUSE_S/);
    expect(() => parseAudioPauseS('2.5')).toThrow(/integer/);
  });
});
