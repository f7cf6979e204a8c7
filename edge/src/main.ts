/** Entry point: `node --import tsx edge/src/main.ts`, configured by VIGIL_EDGE_* variables. */
import { loadEdgeConfig } from './config.ts';
import { createEdgeGateway } from './edge-gateway.ts';
import { runService } from '@vigil/contracts/service';

await runService('edge', async () => {
  const gateway = await createEdgeGateway({ config: loadEdgeConfig() });
  await gateway.start();
  return gateway;
});
