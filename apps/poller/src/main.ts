import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { loadConfig } from './config/poller-config.js';

/** Exit code for a configuration error (EX_CONFIG in sysexits.h). */
const EX_CONFIG = 78;

async function bootstrap(): Promise<void> {
  // Configuration first, before any module, connection or port: a bad value stops here, one
  // line per problem, and nothing else starts.
  const result = loadConfig(process.env);
  if (!result.ok) {
    for (const problem of result.problems) process.stderr.write(`config error: ${problem}\n`);
    process.exit(EX_CONFIG);
  }
  const { config } = result;
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: false });
  app.enableShutdownHooks();
  await app.listen(config.http.port, '0.0.0.0');
}

await bootstrap();
