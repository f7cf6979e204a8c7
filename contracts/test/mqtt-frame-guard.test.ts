import { describe, it, expect } from 'vitest';
import mqttPacket from 'mqtt-packet';
import { MqttFrameScanner } from '../src/mqtt-frame-guard.ts';

const connect = mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'mon-01', keepalive: 30 });
const publish = (bytes: number) => mqttPacket.generate({ cmd: 'publish', topic: 'vigil/v1/dev/mon-01/vitals', payload: Buffer.alloc(bytes, 0x61), qos: 1, messageId: 1, retain: false, dup: false });

describe('MqttFrameScanner', () => {
  it('passes a valid stream, whatever the chunking', () => {
    const stream = Buffer.concat([connect, publish(10), publish(300), publish(20_000)]);
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      const scanner = new MqttFrameScanner(32_768);
      for (let i = 0; i < stream.length; i += size) expect(scanner.feed(stream.subarray(i, i + size))).toBeNull();
    }
  });

  it('refuses a packet over the maximum as soon as its header arrives', () => {
    const scanner = new MqttFrameScanner(1024);
    expect(scanner.feed(connect)).toBeNull();
    const big = publish(2000);
    // Only the fixed header is needed to decide.
    expect(scanner.feed(big.subarray(0, 3))?.code).toBe('PM_ERR_PACKET_TOO_LARGE');
  });

  it('refuses a first packet that is not CONNECT', () => {
    expect(new MqttFrameScanner(1024).feed(publish(5))?.code).toBe('PM_ERR_MQTT_PROTOCOL');
    expect(new MqttFrameScanner(1024).feed(Buffer.from([0xc0, 0x00]))?.code).toBe('PM_ERR_MQTT_PROTOCOL'); // PINGREQ first
  });

  it('refuses a Remaining Length of more than four bytes and reserved packet types', () => {
    const scanner = new MqttFrameScanner(1 << 30);
    expect(scanner.feed(connect)).toBeNull();
    expect(scanner.feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))?.code).toBe('PM_ERR_MQTT_PROTOCOL');
    const reserved = new MqttFrameScanner(1024);
    reserved.feed(connect);
    expect(reserved.feed(Buffer.from([0xf0, 0x00]))?.code).toBe('PM_ERR_MQTT_PROTOCOL');
  });

  it('a Remaining Length longer than the body that follows only waits (the broker times the connection out)', () => {
    const scanner = new MqttFrameScanner(1024);
    scanner.feed(connect);
    expect(scanner.feed(Buffer.from([0x30, 0x64, 0x00, 0x01]))).toBeNull();
  });
});
