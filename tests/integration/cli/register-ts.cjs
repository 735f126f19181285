// Lets a child Node process run the TypeScript sources directly (the command-line tests
// spawn `node -r ./register-ts.cjs cli/main.ts`), compiled by @swc/core like jest does.
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
