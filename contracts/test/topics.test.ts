import { describe, it, expect } from 'vitest';
import { TOPIC_ROOT, parseTopic, topics } from '../src/index.ts';

describe('topic builders', () => {
  it('build the documented topic names', () => {
    expect(TOPIC_ROOT).toBe('vigil/v1');
    expect(topics.deviceVitals('icu-mon-01')).toBe('vigil/v1/dev/icu-mon-01/vitals');
    expect(topics.deviceStatus('wear-03')).toBe('vigil/v1/dev/wear-03/status');
    expect(topics.gatewayUplink('gw-a')).toBe('vigil/v1/gw/gw-a/uplink');
    expect(topics.gatewayStatus('gw-a')).toBe('vigil/v1/gw/gw-a/status');
    expect(topics.allGatewayUplinks).toBe('vigil/v1/gw/+/uplink');
    expect(topics.allGatewayStatus).toBe('vigil/v1/gw/+/status');
  });

  it.each(['a/b', '+', '#', 'a+b', 'dev#', '', 'a b', '-x', 'x'.repeat(65), 'a\u0000b'])('throw on id %j', (id) => {
    expect(() => topics.deviceVitals(id)).toThrow(/invalid deviceId/);
    expect(() => topics.deviceStatus(id)).toThrow(/invalid deviceId/);
    expect(() => topics.gatewayUplink(id)).toThrow(/invalid gatewayId/);
    expect(() => topics.gatewayStatus(id)).toThrow(/invalid gatewayId/);
  });
});

describe('parseTopic', () => {
  it.each([
    [topics.deviceVitals('icu-mon-01'), { scope: 'device', deviceId: 'icu-mon-01', channel: 'vitals' }],
    [topics.deviceStatus('w.3_x'), { scope: 'device', deviceId: 'w.3_x', channel: 'status' }],
    [topics.gatewayUplink('gw-a'), { scope: 'gateway', gatewayId: 'gw-a', channel: 'uplink' }],
    [topics.gatewayStatus('G7'), { scope: 'gateway', gatewayId: 'G7', channel: 'status' }],
  ])('round-trips %s', (topic, expected) => {
    expect(parseTopic(topic)).toEqual(expected);
  });

  it.each([
    ['wrong root', 'vigil/v2/dev/d1/vitals'],
    ['other root', 'other/v1/dev/d1/vitals'],
    ['root case differs', 'Vigil/v1/dev/d1/vitals'],
    ['too few levels', 'vigil/v1/dev/d1'],
    ['too many levels', 'vigil/v1/dev/d1/vitals/extra'],
    ['leading slash', '/vigil/v1/dev/d1/vitals'],
    ['trailing slash', 'vigil/v1/dev/d1/vitals/'],
    ['unknown device channel', 'vigil/v1/dev/d1/uplink'],
    ['unknown gateway channel', 'vigil/v1/gw/g1/vitals'],
    ['unknown scope', 'vigil/v1/bed/b1/vitals'],
    ["'+' id", 'vigil/v1/gw/+/uplink'],
    ["'#' id", 'vigil/v1/dev/#/vitals'],
    ['multi-level wildcard at the end', 'vigil/v1/dev/d1/#'],
    ['empty id level', 'vigil/v1/dev//vitals'],
    ['empty scope level', 'vigil/v1//d1/vitals'],
    ['empty channel level', 'vigil/v1/dev/d1/'],
    ['empty string', ''],
    ['too-long id', `vigil/v1/dev/${'a'.repeat(65)}/vitals`],
  ])('returns null for %s', (_name, topic) => {
    expect(parseTopic(topic)).toBeNull();
  });
});
