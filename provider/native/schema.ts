/**
 * The Pulumi package schema the plugin serves (`pulumi package get-schema`, and what Pulumi YAML
 * reads instead of a generated SDK). It is derived from the families' zod schemas when the
 * plugin starts (schema/derive.ts), so it cannot disagree with the checks the plugin runs;
 * `provider/native/schema.json` is the same text checked in (`npm run gen-schema` writes it, a
 * unit test compares them) for review and SDK generation.
 */
import { derivePackageSchema, type PackageSchema } from "./schema/derive";

const PACKAGE_JSON = require("pulumi-vps-backups/package.json") as {
  version: string;
  license: string;
};

/** The plugin's version (the npm package's). */
export const PLUGIN_VERSION: string = PACKAGE_JSON.version;

/** The schema as an object, keys sorted (`getSchema` serves it as JSON). */
export const PACKAGE_SCHEMA: PackageSchema = derivePackageSchema(
  PLUGIN_VERSION,
  PACKAGE_JSON.license,
);
