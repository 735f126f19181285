// Types of engine.cjs for the TypeScript tests, the benchmarks and stack.ts.
export declare const REPO_ROOT: string;
export declare const ENGINE_VERSION: string;
export declare const NODEJS_HOST_SDK_VERSION: string;
export declare const GO_HOST_SDK_VERSION: string;
export declare const MIN_CLI_VERSION: string;
export declare const ENGINE_ROOT: string;
export declare const ENGINE_DIR_VARIABLE: string;
export declare function ensurePulumi(options?: { log?: (line: string) => void }): string;
export declare function pulumiEnv(options: {
  engineDir: string;
  workDir: string;
  passphrase?: string;
  extra?: Record<string, string>;
}): NodeJS.ProcessEnv;
export interface PulumiRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number | undefined;
}
export declare function runPulumi(
  args: string[],
  options?: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    onOutput?: (text: string) => void;
    signal?: AbortSignal;
  },
): Promise<PulumiRun>;
export declare function compareVersions(a: string, b: string): number;
export declare function descendants(pid: number): number[];
export declare function sessionMembers(sessionId: number): number[];
export declare function signalProcessTree(pid: number, signal?: NodeJS.Signals): number;
