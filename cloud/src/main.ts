/** Entry point: `node --import tsx cloud/src/main.ts`, configured by VIGIL_CLOUD_* variables. */
import pino from 'pino';
import { runService } from '@vigil/contracts/service';
import { createCloudService } from './cloud-service.ts';
import { loadCloudConfig, type CloudConfig } from './config.ts';
import type { ModelDetector } from './detectors/model-detector.ts';

/**
 * The advisory anomaly model, when configured. Loaded lazily (TensorFlow.js is only imported then), and a model that
 * cannot be loaded stops nothing: the cloud starts without advisory alarms, because the rule alarms must not wait
 * for an ML artefact.
 */
async function anomalyDetector(config: CloudConfig, logger: pino.Logger): Promise<ModelDetector | undefined> {
  if (config.anomalyModel === 'none') return undefined;
  try {
    const { createModelDetector } = await import('./detectors/model-detector.ts');
    return await createModelDetector({
      dir: config.anomalyModel,
      logger,
      watch: config.anomalyModelWatch,
      featureWindow: { windowMs: config.featureWindowMs, slideMs: config.featureSlideMs },
    });
  } catch (err) {
    logger.error({ err, dir: config.anomalyModel }, 'anomaly model not loaded; running without advisory ML alarms (rule alarms unaffected)');
    return undefined;
  }
}

await runService('cloud', async () => {
  const config = loadCloudConfig();
  const logger = pino({ level: config.logLevel, base: { service: 'cloud' } });
  const detector = await anomalyDetector(config, logger);
  const service = await createCloudService({ config, logger, ...(detector ? { detector } : {}) });
  await service.start();
  return {
    async close() {
      await service.close();
      await detector?.close();
    },
  };
});
