/**
 * vigil-provision: create a ward's device registry, device credentials and gateway credentials.
 *   node --import tsx edge/src/provision-cli.ts --ward ward-a --beds 12 --wearables 4 --out .vigil/demo
 * Writes (secrets with mode 0600):
 *   device-registry.json     for the edge gateway (hashed secrets)
 *   device-credentials.json  for the devices / simulator (plaintext secrets)
 *   gateway-registry.json    for the cloud's embedded uplink broker (hashed)
 *   gateway-secret           the gateway's uplink secret
 *   mosquitto-passwd.txt     username:secret lines for `mosquitto_passwd -U` (external-broker setups)
 */
import { parseArgs } from 'node:util';
import { provisionWard, writeWardProvisioning } from './provisioning.ts';

const HELP = `Usage: vigil-provision --out <dir> [--ward ward-a] [--gateway gw-ward-a] [--beds 12] [--wearables 4]\n`;

const { values } = parseArgs({
  options: {
    ward: { type: 'string', default: 'ward-a' },
    gateway: { type: 'string' },
    beds: { type: 'string', default: '12' },
    wearables: { type: 'string', default: '0' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help || !values.out) {
  process.stdout.write(HELP);
  process.exit(values.help ? 0 : 2);
}
const beds = Number(values.beds);
const wearables = Number(values.wearables);
if (!Number.isInteger(beds) || beds < 1 || beds > 500 || !Number.isInteger(wearables) || wearables < 0 || wearables > beds) {
  process.stderr.write('vigil-provision: --beds must be 1..500 and --wearables 0..beds\n');
  process.exit(2);
}
const ward = provisionWard({ wardId: values.ward, gatewayId: values.gateway ?? `gw-${values.ward}`, beds, wearableBeds: wearables });
writeWardProvisioning(ward, values.out);
process.stdout.write(`provisioned ${values.ward}: ${beds} beds (${wearables} wearables), gateway ${ward.gateway.gatewayId} → ${values.out}\n`);
