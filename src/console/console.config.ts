import { IsBoolean, IsOptional } from 'class-validator';
import { resolve } from 'node:path';

/** `console`: the operator console served under `/v1/minion/ui/`. */
export class ConsoleOptions {
  /** false turns the console off: `/v1/minion/ui/` answers 404 (the API is unchanged). Default true. */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

/** `console`, resolved: the console's settings slice (DI token). */
export abstract class ConsoleSettings {
  abstract readonly enabled: boolean;
  /** The built console (`vite build` writes it to dist/ui, beside the compiled server). */
  abstract readonly assets: string;
}

export function consoleSettings(def: ConsoleOptions = {}): ConsoleSettings {
  // src/console -> dist/console once compiled: the console is built into dist/ui.
  return { enabled: def.enabled ?? true, assets: resolve(__dirname, '..', 'ui') };
}
