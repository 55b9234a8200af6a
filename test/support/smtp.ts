import { SMTPServer } from 'smtp-server';

/*
 * A real SMTP server in this process, on a loopback port, keeping what it receives: the
 * envelope recipients and the message's subject, headers and decoded text and HTML parts.
 * `stop()` and `start()` again on the same port play an outage.
 */

export interface ReceivedMail {
  from: string;
  /** The envelope recipients (RCPT TO). */
  to: string[];
  subject: string;
  headers: Record<string, string>;
  text: string;
  html: string;
}

export interface TestSmtp {
  port: number;
  url: string;
  messages: ReceivedMail[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once `count` messages are in (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i]!;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeWords(value: string): string {
  return value.replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : decodeQuotedPrintable(data.replaceAll('_', ' ')),
  );
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function splitPart(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  if (at < 0) return { headers: parseHeaders(raw), body: '' };
  const gap = raw.slice(at).match(/^\r?\n\r?\n/)![0].length;
  return { headers: parseHeaders(raw.slice(0, at)), body: raw.slice(at + gap) };
}

/** The part's content, with SMTP's CRLF line ends read as "\n". */
function decodeBody(headers: Record<string, string>, body: string): string {
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const decoded =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : body;
  return decoded.replace(/\r\n/g, '\n');
}

/** Text and HTML parts of a (possibly multipart/alternative) message. */
function parts(headers: Record<string, string>, body: string): { text: string; html: string } {
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!type.toLowerCase().startsWith('multipart/') || !boundary) {
    const decoded = decodeBody(headers, body);
    return type.toLowerCase().startsWith('text/html')
      ? { text: '', html: decoded }
      : { text: decoded, html: '' };
  }
  const found = { text: '', html: '' };
  for (const chunk of body.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const part = splitPart(chunk.replace(/^\r?\n/, ''));
    const inner = parts(part.headers, part.body.replace(/\r?\n$/, ''));
    found.text ||= inner.text;
    found.html ||= inner.html;
  }
  return found;
}

export async function startTestSmtp(port = 0): Promise<TestSmtp> {
  const messages: ReceivedMail[] = [];
  let server: SMTPServer | undefined;
  const smtp: TestSmtp = {
    port,
    url: '',
    messages,
    async start() {
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            const { headers, body } = splitPart(Buffer.concat(chunks).toString('utf8'));
            messages.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: decodeWords(headers.subject ?? ''),
              headers,
              ...parts(headers, body),
            });
            callback();
          });
        },
      });
      server.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(smtp.port, '127.0.0.1', () => resolve());
      });
      const address = server.server.address();
      smtp.port = typeof address === 'object' && address ? address.port : smtp.port;
      smtp.url = `smtp://127.0.0.1:${smtp.port}`;
    },
    async stop() {
      const closing = server;
      server = undefined;
      if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    async waitFor(count, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} mail(s) within ${timeoutMs} ms, got ${messages.length}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return messages;
    },
  };
  await smtp.start();
  return smtp;
}
