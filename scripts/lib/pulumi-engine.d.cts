// Types of pulumi-engine.cjs for the TypeScript tests and benchmarks.
export declare const REPO_ROOT: string;
export declare const ENGINE_VERSION: string;
export declare const NODEJS_HOST_SDK_VERSION: string;
export declare const MIN_CLI_VERSION: string;
export declare const ENGINE_ROOT: string;
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
  },
): Promise<PulumiRun>;
export declare function compareVersions(a: string, b: string): number;
