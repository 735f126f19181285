// Lets a child Node process run the emulator's TypeScript sources directly (the CLI tests
// spawn `node -r tests/support/register-ts.cjs emulator/cli.ts`), compiled by @swc/core as
// jest compiles them, so no test depends on a build of dist/ being there and up to date.
const { transformSync } = require("@swc/core");
const Module = require("node:module");
const { readFileSync } = require("node:fs");

require.extensions[".ts"] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, "utf8"), {
    filename,
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: "inline",
  });
  module._compile(code, filename);
};
// Extensionless imports ("./faults") resolve to .ts files through the hook above.
Module._extensions[".ts"] = require.extensions[".ts"];
