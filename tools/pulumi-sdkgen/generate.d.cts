// Types of generate.cjs for the TypeScript tests.
export declare const SCHEMA: string;
export declare const SDKS_DIR: string;
export declare const LANGUAGES: string[];
export declare function ensureGenerator(options?: { log?: (line: string) => void }): string;
export declare function generateSdks(options?: {
  outDir?: string;
  schema?: string;
  log?: (line: string) => void;
}): string[];
