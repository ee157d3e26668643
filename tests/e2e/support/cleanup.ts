// Nothing reaps containers after a crashed run (the Ryuk reaper is disabled: its image cannot be
// pulled here), so every run first removes what an earlier one left: containers labelled by
// Testcontainers, and Compose projects named testcontainers-*, with their networks and volumes.
import { execFileSync } from 'node:child_process';

function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l.length > 0);
}

const containers = lines(docker(['ps', '-aq', '--filter', 'label=org.testcontainers=true']));
const composeContainers = lines(docker(['ps', '-aq', '--filter', 'label=com.docker.compose.project'])).filter((id) =>
  docker(['inspect', '-f', '{{index .Config.Labels "com.docker.compose.project"}}', id]).startsWith('testcontainers-'),
);
const all = [...new Set([...containers, ...composeContainers])];
if (all.length > 0) docker(['rm', '-fv', ...all]);

const networks = [
  ...lines(docker(['network', 'ls', '-q', '--filter', 'label=org.testcontainers=true'])),
  ...lines(docker(['network', 'ls', '--format', '{{.Name}}'])).filter((n) => n.startsWith('testcontainers-')),
];
for (const n of networks) {
  try {
    docker(['network', 'rm', n]);
  } catch {
    // still in use by something that is not ours: leave it
  }
}
const volumes = lines(docker(['volume', 'ls', '-q', '--filter', 'label=com.docker.compose.project'])).filter((v) =>
  docker(['volume', 'inspect', '-f', '{{index .Labels "com.docker.compose.project"}}', v]).startsWith('testcontainers-'),
);
if (volumes.length > 0) docker(['volume', 'rm', '-f', ...volumes]);
console.log(`removed ${all.length} containers, ${networks.length} networks, ${volumes.length} volumes`);
