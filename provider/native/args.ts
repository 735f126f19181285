/**
 * The plugin's command line, as the engine writes it: optional `--logtostderr`, `-v=N` and
 * `--tracing <endpoint>` flags, then the engine's gRPC address (the same parsing as
 * `@pulumi/pulumi/provider`'s own, which is internal).
 */
export function engineAddressFromArgs(args: readonly string[]): string | undefined {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--logtostderr" || arg.startsWith("-v=")) continue;
    if (arg === "--tracing") {
      i += 1;
      continue;
    }
    rest.push(arg);
  }
  return rest[0];
}
