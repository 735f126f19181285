// Preloaded with NODE_OPTIONS=--require by the fleet benchmark's baseline: in the dynamic
// provider process it gives every shared API client `coalescePolls: false`, so each waiting
// ServerBackup polls on its own. The provider has no setting for this (it always coalesces),
// so the benchmark reaches the runtime's `setSharedClientOptions`, which exists for tests and
// benchmarks. Other Node processes of the run (the program) load it harmlessly.
"use strict";
const path = require("node:path");

const runtime = require(path.join(__dirname, "..", "dist", "provider", "runtime.js"));
runtime.setSharedClientOptions({ coalescePolls: false });
