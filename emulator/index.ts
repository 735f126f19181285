/**
 * A local emulator of the VPS Backups API: a real HTTP server answering as the contract says
 * (docs/api.md), with a lifecycle, accounts, faults, persistence and a control endpoint.
 *
 * ```ts
 * const emulator = await startEmulator({ timeScale: 0.001 });
 * // emulator.url === "http://127.0.0.1:<port>/api/v1", token emulator.demoToken
 * await emulator.stop();
 * ```
 */
import "./load-fastify"; // first: says what to install when the optional fastify is absent
import { randomBytes } from "node:crypto";
import { type FaultConfig, FaultInjector } from "./faults";
import { DEFAULT_LIFECYCLE_OPTIONS, type LifecycleOptions } from "./model";
import { openDataFile } from "./persistence";
import { RequestCounter } from "./request-counter";
import { DEMO_TOKEN, type SeedDocument, demoSeed, loadSeedFile, snapshotFromSeed } from "./seed";
import { API_PREFIX, ADMIN_TOKEN_HEADER, buildServer } from "./server";
import { EmulatorState } from "./state";

export {
  DEMO_TOKEN,
  OTHER_ACCOUNT_TOKEN,
  SeedDocumentSchema,
  demoSeed,
  loadSeedFile,
} from "./seed";
export type { SeedDocument } from "./seed";
export { FaultConfigSchema, FaultInjector } from "./faults";
export type { FaultConfig } from "./faults";
export { RequestCounter } from "./request-counter";
export type { RequestCount, RequestOutcome } from "./request-counter";
export { EmulatorState } from "./state";
export {
  DEFAULT_LIFECYCLE_OPTIONS,
  AUTOMATIC_BACKUP_DESCRIPTION,
  addOneMonth,
  formatTimestamp,
} from "./model";
export type {
  EmulatorAccount,
  EmulatorBackup,
  EmulatorServer,
  LifecycleOptions,
  NextBackupOverride,
  StateSnapshot,
} from "./model";
export {
  ADMIN_TOKEN_HEADER,
  API_PREFIX,
  CONTROL_PREFIX,
  CREATE_MESSAGE,
  RESTORE_MESSAGE,
} from "./server";

/** Options of {@link startEmulator}; every one optional. Lifecycle durations: see LifecycleOptions. */
export interface EmulatorOptions extends Partial<LifecycleOptions> {
  /** TCP port; 0 picks a free one. Default 0 (the CLI defaults to 8080). */
  port?: number;
  /** Interface to listen on. Default "127.0.0.1". */
  host?: string;
  /** Starting data: a seed document or the path of a seed file. Default the demo seed. */
  seed?: SeedDocument | string;
  /**
   * JSON file holding the state across restarts; loaded when it exists (instead of the seed)
   * and rewritten atomically after every mutation. Default none (in memory only).
   */
  dataFile?: string;
  /** Seed of the generators behind failures, sizes and faults. Default 1. */
  randomSeed?: number;
  /** Token of the control endpoint. Default 32 random hex characters. */
  adminToken?: string;
  /** Faults active from the start. Default none. */
  faults?: FaultConfig;
  /** Request log: true prints to stderr, a function receives each line. Default off. */
  log?: boolean | ((line: string) => void);
  /** Largest request body accepted, bytes (413 beyond). Default 1 MiB. */
  bodyLimitBytes?: number;
}

/** A running emulator. */
export interface RunningEmulator {
  /** Base URL of the API, e.g. `http://127.0.0.1:41234/api/v1` (no trailing slash). */
  url: string;
  /** `http://host:port`, where the control endpoint lives under /_emulator/. */
  origin: string;
  /** The port it listens on. */
  port: number;
  /** Token of the control endpoint (header `X-Emulator-Admin-Token` or Bearer). */
  adminToken: string;
  /** Token of the demo account (`YOUR_API_TOKEN`), when the demo seed is used. */
  demoToken: typeof DEMO_TOKEN;
  /** In-process access to the model (tests): inventory, clock, control operations. */
  state: EmulatorState;
  /** The fault settings, changeable at run time (`faults.merge({...})`, `faults.replace({})`). */
  faults: FaultInjector;
  /** Counters of answered API requests by method, route and status. */
  requests: RequestCounter;
  /** Moves the virtual clock forward, ms; returns the new virtual now (ms since epoch). */
  advanceClock(ms: number): number;
  /** Back to the seed (clock, ids and data), the initial faults and zeroed counters. */
  reset(): void;
  /** Closes the server and every open connection (hung ones included). */
  stop(): Promise<void>;
}

function formatHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/** Starts the emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const lifecycle: LifecycleOptions = { ...DEFAULT_LIFECYCLE_OPTIONS };
  for (const key of Object.keys(DEFAULT_LIFECYCLE_OPTIONS) as (keyof LifecycleOptions)[]) {
    const value = options[key];
    if (value !== undefined) {
      if (!Number.isFinite(value) || value < 0) {
        throw new RangeError(`startEmulator: ${key} must be a finite number >= 0, got ${value}`);
      }
      lifecycle[key] = value;
    }
  }
  if (lifecycle.failureRate > 1)
    throw new RangeError("startEmulator: failureRate must be within 0..1");
  const randomSeed = options.randomSeed ?? 1;
  const seed =
    typeof options.seed === "string" ? loadSeedFile(options.seed) : (options.seed ?? demoSeed());
  const seedSnapshot = () => snapshotFromSeed(seed, Date.now(), lifecycle, randomSeed);

  const dataFile = options.dataFile ? openDataFile(options.dataFile) : undefined;
  const store = dataFile?.store;
  const state = new EmulatorState(
    lifecycle,
    dataFile?.initial ?? seedSnapshot(),
    store && ((snapshot) => store.save(snapshot)),
  );
  store?.save(state.snapshot());

  const initialFaults = options.faults ?? {};
  const faults = new FaultInjector(initialFaults, randomSeed);
  const requests = new RequestCounter();
  const adminToken = options.adminToken ?? randomBytes(16).toString("hex");
  const log =
    options.log === true
      ? (line: string) => process.stderr.write(`vps-emulator: ${line}\n`)
      : typeof options.log === "function"
        ? options.log
        : undefined;

  const reset = () => {
    state.replace(seedSnapshot());
    faults.replace(initialFaults);
    requests.clear();
  };
  const app = buildServer({
    state,
    faults,
    requests,
    adminToken,
    log,
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    reset,
  });
  const host = options.host ?? "127.0.0.1";
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 0);
  const origin = `http://${formatHost(host)}:${port}`;
  return {
    url: `${origin}${API_PREFIX}`,
    origin,
    port,
    adminToken,
    demoToken: DEMO_TOKEN,
    state,
    faults,
    requests,
    advanceClock: (ms) => state.advanceClock(ms),
    reset,
    stop: async () => {
      await app.close();
      store?.close();
    },
  };
}

/** Headers that authenticate a control request. */
export function adminHeaders(adminToken: string): Record<string, string> {
  return { [ADMIN_TOKEN_HEADER]: adminToken };
}
