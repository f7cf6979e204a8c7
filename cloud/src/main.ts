/** Entry point: `node --import tsx cloud/src/main.ts`, configured by VIGIL_CLOUD_* variables. */
import { runService } from '@vigil/contracts/service';
import { createCloudService } from './cloud-service.ts';
import { loadCloudConfig } from './config.ts';

await runService('cloud', async () => {
  const service = await createCloudService({ config: loadCloudConfig() });
  await service.start();
  return service;
});
