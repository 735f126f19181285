/**
 * The `vps-backups` command line: commander parses the flags (subcommands, help, unknown-flag
 * errors), each command lives in cli/commands/ or cli/recover/, and {@link run} turns every
 * outcome into an exit code: 0 success, 1 API or runtime failure, 2 usage error.
 */
import { Command, CommanderError, Option } from "commander";
import { redactSecrets } from "../sdk";
import {
  createCommand,
  deleteCommand,
  listCommand,
  waitCommand,
  DEFAULT_WAIT_TIMEOUT,
} from "./commands/backups";
import { restoreCommand, serversCommand } from "./commands/servers";
import { type CommandContext, type GlobalFlags, type Streams, createContext } from "./context";
import { EXIT_USAGE, UsageError, exitCodeOf } from "./errors";
import { recoverCommand } from "./recover";

type Action = (context: CommandContext, command: Command) => Promise<number>;

/** Builds the program; `onAction` receives the chosen command's work. */
function buildProgram(streams: Streams, onAction: (command: Command, action: Action) => void) {
  const program = new Command("vps-backups")
    .description(
      "Manage the backups of your VPS servers: list, create, wait, delete, restore, and recover a stack after a killed pulumi up.\n" +
        "Credentials: VPS_API_TOKEN (never a flag), VPS_API_URL or --api-url.",
    )
    .option("--api-url <url>", "API base URL (default: VPS_API_URL, else the platform's)")
    .addOption(
      new Option("-o, --output <format>", "output format")
        .choices(["table", "json"])
        .default("table"),
    )
    .option("--no-header", "print tables without their header line")
    .option("-v, --verbose", "print the client's debug lines on stderr")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
      // Usage errors: the message, then the command's usage line (commander adds neither help nor colour).
      outputError: (text, write) => write(text),
    });

  const action = (work: Action) =>
    function (this: Command) {
      onAction(this, work);
    };

  program
    .command("servers")
    .description("list the servers")
    .action(action((context) => serversCommand(context)));

  program
    .command("list")
    .description("list backups, newest first")
    .option("--server <id>", "only backups of this server")
    .option("--type <type>", "manual or automatic")
    .option("--status <status>", "in_progress, completed or failed")
    .action(action((context, command) => listCommand(context, command.opts())));

  program
    .command("create")
    .description("start a manual backup of a server")
    .requiredOption("--server <id>", "the server to back up")
    .option("--description <text>", "free text, at most 255 characters")
    .option("--wait", "wait until the backup is completed")
    .option(
      "--timeout <duration>",
      "how long --wait waits (e.g. 90s, 60m, 2h)",
      DEFAULT_WAIT_TIMEOUT,
    )
    .action(action((context, command) => createCommand(context, command.opts())));

  program
    .command("delete")
    .description("delete backups (an in-progress one is cancelled)")
    .argument("<backup-id...>", "the backups to delete")
    .option("-y, --yes", "do not ask for confirmation")
    .action(
      action((context, command) =>
        deleteCommand(context, command.args, command.opts(), streams.stdin),
      ),
    );

  program
    .command("wait")
    .description("wait until a backup is completed")
    .argument("<backup-id>", "the backup")
    .requiredOption("--server <id>", "its server")
    .option("--timeout <duration>", "how long to wait (e.g. 90s, 60m, 2h)", DEFAULT_WAIT_TIMEOUT)
    .action(
      action((context, command) => waitCommand(context, command.args[0] ?? "", command.opts())),
    );

  program
    .command("restore")
    .description("restore a server from one of its backups (writes since the backup are lost)")
    .requiredOption("--server <id>", "the server to restore")
    .requiredOption("--backup <id|latest>", "the backup, or latest for the newest completed one")
    .option("--backup-first", "take a backup of the server first, and wait for it")
    .option("--wait", "wait until the server is active again")
    .option(
      "--timeout <duration>",
      "how long each wait waits (e.g. 90s, 60m, 2h)",
      DEFAULT_WAIT_TIMEOUT,
    )
    .option("-y, --yes", "do not ask for confirmation")
    .action(action((context, command) => restoreCommand(context, command.opts(), streams.stdin)));

  program
    .command("recover")
    .description(
      "after a killed pulumi up: find the backups its pending creates made, show the plan, and with --yes delete those orphans, clear the pending operations and unlock the stack (on a file backend, first remove the metadata files a kill during a save left empty)",
    )
    .option("--stack <name>", "the stack (default: the selected one)")
    .option("--cwd <dir>", "the Pulumi project folder", ".")
    .option("--since <time>", "when the killed run began, when the stack's lock no longer says")
    .option("--delete-ambiguous", "also delete backups that may be the run's but are not certain")
    .option("--no-refresh", "do not run pulumi refresh at the end")
    .option("-y, --yes", "carry the plan out without asking")
    .action(action((context, command) => recoverCommand(context, command.opts(), streams.stdin)));

  for (const command of program.commands) {
    command
      .exitOverride()
      .showSuggestionAfterError(true)
      .configureOutput({
        writeOut: (text) => streams.stdout.write(text),
        writeErr: (text) => streams.stderr.write(text),
        outputError: (text, write) => write(text),
      });
  }
  return program;
}

/** The usage line of a command, as commander writes it in its help. */
function usageLine(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current; current = current.parent) {
    names.unshift(current.name());
  }
  return `Usage: ${names.join(" ")} ${command.usage()}`;
}

/** Runs the command line; resolves with the exit code (never calls process.exit). */
export async function run(argv: string[], streams: Streams): Promise<number> {
  let chosen: { command: Command; work: Action } | undefined;
  const program = buildProgram(streams, (command, work) => {
    chosen = { command, work };
  });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, --version
      const failed = findCommand(program, argv);
      streams.stderr.write(`${usageLine(failed)}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  if (!chosen) {
    streams.stderr.write(`error: missing command\n${usageLine(program)}\n`);
    return EXIT_USAGE;
  }
  const { command, work } = chosen;
  try {
    const context = createContext(command.optsWithGlobals() as GlobalFlags, streams);
    return await work(context, command);
  } catch (error) {
    const code = exitCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    streams.stderr.write(`error: ${redactSecrets(message)}\n`);
    if (code === EXIT_USAGE && error instanceof UsageError) {
      streams.stderr.write(`${usageLine(command)}\n`);
    }
    return code;
  }
}

/** The subcommand named in argv, for the usage line of a parse error. */
function findCommand(program: Command, argv: string[]): Command {
  return program.commands.find((command) => argv.includes(command.name())) ?? program;
}
