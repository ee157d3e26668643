// peerweave: the command-line client. Wiring only: the process's streams and signals → runCli.
import { runCli } from './cli.ts';
import { InterruptedError } from './errors.ts';
import { EXIT } from './exit-codes.ts';

const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // The first signal lets the command clean up (a get removes its temporary file); a second ends it now.
    if (interrupt.signal.aborted) process.exit(EXIT.INTERRUPTED);
    interrupt.abort(new InterruptedError(signal));
  });
}
// A reader that went away (`peerweave cat CID | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.OK);
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stderrIsTTY: process.stderr.isTTY === true,
  env: process.env,
  cwd: process.cwd(),
  signal: interrupt.signal,
});
