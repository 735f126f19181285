// Preloaded with NODE_OPTIONS=--require by the pipelines benchmark's baseline: in the dynamic
// provider process it gives every shared API client `paceRateLimit: false`, so its rate-limit
// gate admits every request at once instead of waiting for the quota the platform reports;
// 429s are still retried after their Retry-After, as any client would. The provider has no
// setting for this, so the benchmark reaches the runtime's `setSharedClientOptions`, which
// exists for tests and benchmarks. Other Node processes of the run (the program) load it harmlessly.
"use strict";
const path = require("node:path");

const runtime = require(path.join(__dirname, "..", "dist", "provider", "runtime.js"));
runtime.setSharedClientOptions({ paceRateLimit: false });
