import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CommandContext, type CliIo, type GlobalOptions } from './command-context.ts';
import { catCommand } from './commands/cat.ts';
import { clusterCommand } from './commands/cluster.ts';
import { DEFAULT_ISSUE_VALIDITY, caInitCommand, caIssueCommand, type CaIssueOptions } from './commands/cluster-ca.ts';
import { getCommand, type GetOptions } from './commands/get.ts';
import { PEER_STATES, peersCommand, type PeersOptions } from './commands/peers.ts';
import { putCommand, type PutOptions } from './commands/put.ts';
import { rmCommand } from './commands/rm.ts';
import { SEARCH_MODES, searchCommand, type SearchCommandOptions } from './commands/search.ts';
import { statusCommand } from './commands/status.ts';
import { DEFAULT_TOKEN_NAME, DEFAULT_TOKEN_SCOPES, tokenCreateCommand, type TokenCreateOptions } from './commands/token.ts';
import { CliError } from './errors.ts';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts';
import { DEFAULT_TIMEOUT_MS } from './node-client.ts';
import type { ResolveNodeInit } from './node-url.ts';
import { findRepoRoot } from './repo-root.ts';
import { DEFAULT_STALL_TIMEOUT_MS } from './stall-guard.ts';

export interface RunCliInit {
  /** The checkout (for `cluster` and the Compose lookup); default: found from this file. */
  readonly repoRoot?: string | undefined;
  /** Replaces `docker compose port` in specs. */
  readonly composePort?: ResolveNodeInit['composePort'];
}

/** Commander's codes for "help or version was shown as asked": exit 0, not a usage error. */
const SHOWN_AS_ASKED = new Set(['commander.helpDisplayed', 'commander.version']);

/**
 * Runs one command line (without `node` and the script) and resolves to the exit code. Never calls
 * process.exit, so pending output is flushed and specs can run it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIo, init: RunCliInit = {}): Promise<number> {
  const repoRoot = 'repoRoot' in init ? init.repoRoot : findRepoRoot();
  let exitCode: number = EXIT.OK;
  const context = (cmd: Command): CommandContext =>
    new CommandContext({ io, globals: globalsOf(cmd), repoRoot, composePort: init.composePort });

  const program = buildProgram(io, versionOf(repoRoot), {
    put: async (files, options, cmd) => putCommand(context(cmd), files, options),
    get: async (cid, options, cmd) => getCommand(context(cmd), cid, options),
    cat: async (cid, _options, cmd) => catCommand(context(cmd), cid),
    search: async (words, options, cmd) => searchCommand(context(cmd), words, options as SearchCommandOptions),
    peers: async (options, cmd) => peersCommand(context(cmd), options),
    status: async (_options, cmd) => statusCommand(context(cmd)),
    rm: async (cid, _options, cmd) => rmCommand(context(cmd), cid),
    cluster: async (action, count, _options, cmd) => {
      exitCode = await clusterCommand(context(cmd), action, count);
    },
    caInit: async (dir, options, cmd) => caInitCommand(context(cmd), dir, options),
    caIssue: async (options, cmd) => caIssueCommand(context(cmd), options),
    tokenCreate: async (options, cmd) => tokenCreateCommand(context(cmd), options),
  });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // `peerweave help put` is help as asked (exit code 0); `peerweave` alone shows it as an error.
      const asked = SHOWN_AS_ASKED.has(err.code) || (err.code === 'commander.help' && err.exitCode === 0);
      return asked ? EXIT.OK : EXIT.USAGE;
    }
    if (err instanceof CliError) {
      io.stderr.write(`peerweave: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`peerweave: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.SERVER;
  }
}

interface Actions {
  put(files: string[], options: PutOptions, cmd: Command): Promise<void>;
  get(cid: string, options: GetOptions, cmd: Command): Promise<void>;
  cat(cid: string, options: object, cmd: Command): Promise<void>;
  search(words: string[], options: object, cmd: Command): Promise<void>;
  peers(options: PeersOptions, cmd: Command): Promise<void>;
  status(options: object, cmd: Command): Promise<void>;
  rm(cid: string, options: object, cmd: Command): Promise<void>;
  cluster(action: string, count: string | undefined, options: object, cmd: Command): Promise<void>;
  caInit(dir: string, options: { name?: string }, cmd: Command): Promise<void>;
  caIssue(options: CaIssueOptions, cmd: Command): Promise<void>;
  tokenCreate(options: TokenCreateOptions, cmd: Command): Promise<void>;
}

/** The command tree. Exported for specs that check parsing without running anything. */
export function buildProgram(io: Pick<CliIo, 'stdout' | 'stderr'>, version: string, actions: Actions): Command {
  const program = new Command('peerweave')
    .description('Client of a Peerweave network: talks HTTP to any node (README: "HTTP API").')
    .version(version, '-V, --version')
    .addOption(new Option('--node <url>', 'node to talk to (default: $PEERWEAVE_NODE, else the first peer of the local Compose cluster, else http://127.0.0.1:8080)'))
    .addOption(new Option('--json', 'machine output: one JSON document on stdout'))
    .addOption(new Option('-q, --quiet', 'no progress or messages on stderr (errors still)'))
    .addOption(new Option('--timeout <ms>', 'deadline of each metadata request').argParser(positiveInt('--timeout')).default(DEFAULT_TIMEOUT_MS))
    .addOption(
      new Option('--stall-timeout <ms>', 'abort a transfer after this long without a byte').argParser(positiveInt('--stall-timeout')).default(DEFAULT_STALL_TIMEOUT_MS),
    )
    .addOption(
      new Option('--token <token>', "bearer token sent to the node (default: $PEERWEAVE_TOKEN, else the checkout's .peerweave/token when talking to the local cluster)"),
    )
    .addHelpText(
      'after',
      `\n${EXIT_CODES_HELP}\n\nEnvironment:\n  PEERWEAVE_NODE   node URL when --node is not given\n  PEERWEAVE_TOKEN  bearer token when --token is not given`,
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(output(io, 'peerweave'));

  program
    .command('put')
    .description('store files: POST /v1/objects; prints CID, name, size and replicas per file')
    .argument('<file...>', 'files to store')
    .option('--name <name>', "name stored with the object (default: the file's base name; one file only)")
    .option('--keywords <list>', 'comma-separated search keywords, e.g. holiday,beach')
    .option('--type <mime>', 'media type (default: from the extension, else application/octet-stream)')
    .action(actions.put);

  program
    .command('get')
    .description('fetch an object into a file (a temporary file renamed at the end)')
    .argument('<cid>', 'CID of the object')
    .option('-o, --output <file>', "file, directory, or - for stdout (default: the object's stored name, else its CID)")
    .action(actions.get);

  program.command('cat').description("write an object's bytes to stdout").argument('<cid>', 'CID of the object').action(actions.cat);

  program
    .command('search')
    .description('find objects in the whole network by words: GET /v1/search?q= (prefix*, "a phrase", OR, -word)')
    .argument('<words...>', 'keywords')
    .addOption(new Option('--ttl <hops>', 'hops a flooded query travels (default 4, at most 7)').argParser(wholeNumber('--ttl')))
    .addOption(new Option('--limit <n>', 'most results (default 50)').argParser(wholeNumber('--limit')))
    .addOption(new Option('--mode <mode>', 'auto (default), supernode or flood').choices(SEARCH_MODES))
    .action(actions.search);

  program
    .command('peers')
    .description("the node's contacts: id, address, state, role, Kademlia bucket")
    .addOption(new Option('--state <state>', 'only peers in this state').choices(PEER_STATES))
    .action(actions.peers);

  program.command('status').description('the node: id, role, version, uptime, addresses').action(actions.status);

  program.command('rm').description('delete an object everywhere (a tombstone)').argument('<cid>', 'CID of the object').action(actions.rm);

  const cluster = program
    .command('cluster')
    .description('a local Compose cluster: runs scripts/cluster.sh up [N] | down | ps from the checkout; `cluster ca` makes a cluster CA and issues node certificates')
    .argument('<action>', 'up, down or ps')
    .argument('[n]', 'peers for up (default 20)')
    .action(actions.cluster);
  // `cluster ca …` dispatches to these (commander tries subcommands before the action above).
  const ca = cluster.command('ca').description('the cluster CA: the certificate authority whose key admits nodes (README: "Admission and the cluster CA")');
  ca.command('init')
    .description('make a new cluster CA: DIR/ca.crt and DIR/ca.key (0600); never overwrites one')
    .argument('<dir>', 'directory for the CA (created if missing)')
    .option('--name <cn>', 'common name of the CA (default "Peerweave cluster CA")')
    .action(actions.caInit);
  ca.command('issue')
    .description('issue a node certificate for a node key, for a node run with PEERWEAVE_CLUSTER_CA + PEERWEAVE_TLS_CERT')
    .requiredOption('--ca <dir>', 'directory of the CA (ca.crt and ca.key)')
    .option('--node-key <file>', "the node's key file (identity.key of its data directory)")
    .option('--data-dir <dir>', "the node's data directory (its identity.key is used)")
    .option('--validity <duration>', 'lifetime, e.g. 12h or 30d', DEFAULT_ISSUE_VALIDITY)
    .requiredOption('--out <file>', 'where to write the certificate (PEM; replaced atomically)')
    .action(actions.caIssue);

  const token = program.command('token').description("bearer tokens of the nodes' HTTP API (README: \"HTTP tokens and limits\")");
  token
    .command('create')
    .description('make a token: prints it once, then the entry with its SHA-256 for the node\'s PEERWEAVE_API_TOKENS_FILE')
    .option('--scopes <list>', 'comma-separated: read, write, admin (admin implies write implies read)', DEFAULT_TOKEN_SCOPES)
    .option('--name <name>', 'name of the entry, to find it again to revoke it', DEFAULT_TOKEN_NAME)
    .option('--add-to <file>', 'add the entry to this tokens file (created when missing, else rewritten in place)')
    .action(actions.tokenCreate);

  // Errors of a subcommand name it in the hint; inherited settings are copied when it is created.
  for (const cmd of program.commands) cmd.configureOutput(output(io, `peerweave ${cmd.name()}`));
  ca.configureOutput(output(io, 'peerweave cluster ca'));
  for (const cmd of ca.commands) cmd.configureOutput(output(io, `peerweave cluster ca ${cmd.name()}`));
  for (const cmd of token.commands) cmd.configureOutput(output(io, `peerweave token ${cmd.name()}`));
  return program;
}

/** Commander's output routed to the CLI's streams; its errors become one `peerweave: …` line. */
function output(io: Pick<CliIo, 'stdout' | 'stderr'>, command: string) {
  return {
    writeOut: (s: string) => void io.stdout.write(s),
    writeErr: (s: string) => void io.stderr.write(s),
    outputError: (s: string, write: (s: string) => void) => {
      const message = s.trim().replace(/^error: /, '').replace(/\n+/g, ' ');
      write(`peerweave: ${message} (see ${command} --help)\n`);
    },
  };
}

function globalsOf(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<Partial<GlobalOptions>>();
  return {
    node: o.node,
    json: o.json === true,
    quiet: o.quiet === true,
    timeout: o.timeout ?? DEFAULT_TIMEOUT_MS,
    stallTimeout: o.stallTimeout ?? DEFAULT_STALL_TIMEOUT_MS,
    token: o.token,
  };
}

function positiveInt(flag: string): (value: string) => number {
  return (value) => {
    if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError(`${flag} expects a positive number of milliseconds`);
    return Number(value);
  };
}

/** A whole number for the node to range-check (it answers a value out of range with a code). */
function wholeNumber(flag: string): (value: string) => number {
  return (value) => {
    if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError(`${flag} expects a whole number`);
    return Number(value);
  };
}

function versionOf(repoRoot: string | undefined): string {
  if (process.env.PEERWEAVE_VERSION) return process.env.PEERWEAVE_VERSION; // set by the bundle
  try {
    if (repoRoot !== undefined) return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // a copied CLI without its checkout
  }
  return '0.0.0';
}
