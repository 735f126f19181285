// Types of build.cjs for the TypeScript tests.
export declare const PYTHON_HOST_SDK_VERSION: string;
export declare const PULUMI_PYTHON_VERSION: string;
export declare function ensurePythonHost(
  engineDir: string,
  options?: { log?: (line: string) => void },
): string;
export declare function ensurePythonVenv(options?: {
  python?: string;
  log?: (line: string) => void;
}): string;
