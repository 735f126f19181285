// Budget of every integration test and hook (per project: jest's own `testTimeout` option is
// global only). Integration tests start HTTP servers and child processes and send hundreds of
// requests; on a shared 2-core machine whose cores jest's own workers keep busy, a test that
// takes 1 s alone can take ten times that. The budget is a guard against a hang, never a speed
// check; the few tests that do more set their own.
jest.setTimeout(60_000);
