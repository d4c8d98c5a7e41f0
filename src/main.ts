import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AddressInfo } from 'node:net';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, httpAdapterFor } from './app.setup';
import { versionInfo } from './common/version';
import { CommandLineError, parseCommandLine, USAGE } from './config/command-line';
import { logConfigNotes } from './config/config.module';
import { loadConfig } from './config/config.loader';
import { MinionSettings } from './config/settings';
import { ShutdownState } from './health/shutdown-state';
import { JobsRepository } from './repository/jobs.repository';
import { startupLine } from './startup-line';

async function bootstrap(): Promise<void> {
  // Loaded before the app is built, so a bad key stops the process with one line naming it
  // rather than a dependency-injection stack trace.
  const settings = loadConfig();
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(settings),
    httpAdapterFor(settings),
    { bodyParser: false, bufferLogs: true },
  );
  configureApp(app);
  // After configureApp, so the notes go out in the app's log format (JSON in production).
  logConfigNotes(settings);
  const config = app.get(MinionSettings);
  // No host: every interface, IPv6 and IPv4 where the system has both (as Go's ":8080").
  // Fastify's own default is localhost only, so `::` is asked for, then `0.0.0.0` without IPv6.
  const { host, port } = config.http;
  if (host) await app.listen(port, host);
  else {
    await app.listen(port, '::').catch((err: NodeJS.ErrnoException) => {
      // A system without IPv6; any other failure (the port taken) is the answer.
      if (err.code !== 'EAFNOSUPPORT' && err.code !== 'EADDRNOTAVAIL') throw err;
      return app.listen(port, '0.0.0.0');
    });
  }
  const address = app.getHttpServer().address() as AddressInfo;
  new Logger('Minion').log(startupLine(config, app.get(JobsRepository).location, address));
  stopOnSignals(app, config.scheduler.drainDelayMs);
  if (config.tokenGenerated) {
    // Printed once, to the terminal only, so a first-time user can call the API.
    process.stdout.write(
      `\nNo token configured: generated one for this run. Send it as X-Auth-Token:\n  ${config.token}\n` +
        (config.console.enabled
          ? `or paste it into the console: http://localhost:${address.port}/v1/minion/ui/\n\n`
          : '\n'),
    );
  }
}

/**
 * SIGTERM (Kubernetes, docker stop): readiness turns 503 at once while the API keeps serving for
 * the drain delay, so the load balancer stops sending requests first; then minion stops ticking,
 * lets running runs finish (scheduler.shutdownTimeout) and exits. SIGINT (Ctrl-C): no drain.
 */
function stopOnSignals(app: NestFastifyApplication, drainDelayMs: number): void {
  const logger = new Logger('Minion');
  let stopping = false;
  const stop = async (signal: NodeJS.Signals, drainMs: number) => {
    if (stopping) return;
    stopping = true;
    if (drainMs > 0) {
      app.get(ShutdownState).begin();
      logger.log(`${signal}: readiness is 503; serving ${drainMs} ms more before stopping`);
      await new Promise((r) => setTimeout(r, drainMs));
    }
    logger.log(`${signal}: stopping`);
    await app.close().catch((err: Error) => logger.error(`shutdown: ${err.message}`));
    process.exit(0);
  };
  process.once('SIGTERM', (s) => void stop(s, drainDelayMs));
  process.once('SIGINT', (s) => void stop(s, 0));
}

function main(): void {
  let cli;
  try {
    cli = parseCommandLine(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof CommandLineError)) throw err;
    process.stderr.write(`minion: ${err.message}\n${USAGE}`);
    process.exit(2);
  }
  if (cli.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (cli.version) {
    const v = versionInfo();
    process.stdout.write(`minion version ${v.version} (${v.githash}, built ${v.buildstamp})\n`);
    return;
  }
  bootstrap().catch((err: Error) => {
    // Configuration errors name the bad key; print them without a stack trace.
    process.stderr.write(`minion failed to start: ${err.message}\n`);
    process.exit(1);
  });
}

main();
