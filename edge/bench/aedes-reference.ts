/**
 * The benchmark's second reference (a child process): a bare aedes broker with authentication only — the device
 * registry's hashed secrets, client id = device id — and nothing else of the gateway (no validation, no outbox).
 * Default in-memory persistence; Nagle off on every socket, as in the gateway.
 *   node --import tsx edge/bench/aedes-reference.ts <port> <device-registry.json>
 * Prints {"event":"listening","port":…} once it accepts connections.
 */
import { readFileSync } from 'node:fs';
import { Aedes, type AuthenticateError } from 'aedes';
import type { DeviceRegistry } from '@vigil/contracts';
import { verifySecret } from '@vigil/contracts/credentials';
import { CONNACK, serveBroker } from '@vigil/contracts/mqtt-node';

const port = Number(process.argv[2]);
const registry = JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as DeviceRegistry;
const hashes = new Map(registry.devices.map((d) => [d.deviceId, d.secretHash]));

const aedes = await Aedes.createBroker({
  authenticate(client, username, password, done) {
    const hash = username ? hashes.get(username) : undefined;
    if (hash && client.id === username && verifySecret(password, hash)) return done(null, true);
    done(Object.assign(new Error('bad credentials'), { returnCode: CONNACK.badCredentials }) as AuthenticateError, false);
  },
});
const listener = serveBroker(aedes);
const bound = await listener.listen(port, '127.0.0.1');
process.stdout.write(JSON.stringify({ event: 'listening', port: bound }) + '\n');
process.on('SIGTERM', () => void listener.close().then(() => process.exit(0)));
