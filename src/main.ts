import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { MinionConfig } from './config/minion-config';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bodyParser: false,
    bufferLogs: true,
  });
  configureApp(app);
  const config = app.get(MinionConfig);
  await app.listen(config.port, config.host ?? '0.0.0.0');
  if (config.tokenGenerated) {
    // Printed once, to the terminal only, so a first-time user can call the API.
    process.stdout.write(
      `\nNo token configured: generated one for this run. Send it as X-Auth-Token:\n  ${config.token}\n\n`,
    );
  }
}

bootstrap().catch((err: Error) => {
  // Configuration errors name the bad key; print them without a stack trace.
  process.stderr.write(`minion failed to start: ${err.message}\n`);
  process.exit(1);
});
