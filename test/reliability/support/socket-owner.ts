import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/*
 * Which of a few processes owns the client end of a loopback TCP connection, from Linux's
 * /proc: the connection's socket inode in /proc/net/tcp{,6}, then the process whose open file
 * descriptors include that socket. Synchronous, so a simulator request handler can act on it
 * before it answers.
 */

function socketInodes(localPort: number, remotePort: number): Set<string> {
  const inodes = new Set<string>();
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      if (fields[1]!.endsWith(`:${hex(localPort)}`) && fields[2]!.endsWith(`:${hex(remotePort)}`)) {
        inodes.add(fields[9]!);
      }
    }
  }
  return inodes;
}

/** The pid among `pids` whose connection from `clientPort` to `serverPort` this is, if any. */
export function ownerOfConnection(
  clientPort: number,
  serverPort: number,
  pids: readonly number[],
): number | undefined {
  const inodes = socketInodes(clientPort, serverPort);
  if (inodes.size === 0) return undefined;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined && inodes.has(inode)) return pid;
    }
  }
  return undefined;
}
