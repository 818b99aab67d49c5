// The agentless transport: the same Sources, reached over SSH, so every collector runs beside
// Prometheus and nothing is installed on the router. Exactly one connection per router (an OpenSSH
// control master that every command waits for, re-established on the next command when it drops:
// dropbear resets a client's unauthenticated connections past MAX_UNAUTH_PER_IP, 3 to 5). Every
// script travels on the channel's stdin behind a short fixed bootstrap, never on the command line
// (dropbear drops the whole connection for an exec request over MAX_CMD_LEN, 9000 bytes), and
// runs in the router's login shell: BusyBox ash on OpenWrt, any POSIX sh. File reads, listings and
// stats asked for in the same turn of the event loop travel in one remote command, and each scrape
// starts by fetching, in one command, every file the previous scrapes read (collectors walk /sys
// one await at a time, which would otherwise cost a round trip per level); every remote argument
// is single-quoted, so names reach the router exactly as they left the collector.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Logger } from 'pino';
import { nodeCrypto } from './lazy-builtins.ts';
import { CommandError, RouterscopeError } from './errors.ts';
import { redactText } from './redact.ts';
import type { LineFollower } from './file-follower.ts';
import { LineStream } from './line-stream.ts';
import {
  DEFAULT_BIN_PATH,
  killProcessGroup,
  runChild,
  scrapeView,
  type CommandResult,
  type DirEntry,
  type FsStats,
  type RunOptions,
  type Sources,
} from './sources.ts';

export interface SshTarget {
  readonly user: string;
  readonly host: string;
  readonly port: number;
}

// Neither user nor host may start with "-": ssh would take `user@host` for an option.
const SSH_URL = /^ssh:\/\/(?:([a-zA-Z0-9_][a-zA-Z0-9._-]*)@)?(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9][a-zA-Z0-9.-]*)(?::(\d{1,5}))?\/?$/;
export const sshUrlProblem = (url: string) => (SSH_URL.test(url) ? undefined : `"${url}" is not ssh://user@host[:port]`);

/** `ssh://user@host[:port]`; IPv6 hosts in brackets. */
export function parseSshUrl(url: string): SshTarget {
  const m = SSH_URL.exec(url);
  if (!m) throw new RouterscopeError('CONFIG_INVALID', sshUrlProblem(url)!);
  return { user: m[1] ?? 'root', host: m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3] ?? 22) };
}

/** One shell word: single quotes, with embedded quotes closed, escaped and reopened. */
export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface SshSourcesOptions {
  readonly target: SshTarget;
  readonly rootfs: string;
  readonly binPath: readonly string[];
  readonly commandTimeoutMs: number;
  readonly maxOutputBytes: number;
  readonly identityFile?: string | undefined;
  readonly knownHostsFile?: string | undefined;
  readonly strictHostKeyChecking: 'yes' | 'accept-new';
  readonly connectTimeoutSeconds: number;
  readonly log: Logger;
}

type Op = 'read' | 'list' | 'real' | 'statfs' | 'mtime';
interface FileOp {
  readonly op: Op;
  /** The path on the router (rootfs applied). */
  readonly path: string;
}
interface Pending extends FileOp {
  resolve(text: string): void;
  reject(e: Error): void;
}
type BatchRecord = { ok: true; text: string } | { ok: false; message: string };
/** A command's answer from the prefetch: its exit code, and whether its own limits stopped it. */
interface CommandRecord {
  readonly exitCode: number;
  readonly outcome: 'ok' | 'timeout' | 'big';
  readonly stdout: Buffer;
  readonly stderr: string;
}
/** A command the recent scrapes ran, with the numbers of the last two scrapes that did. */
interface LearnedCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly options: RunOptions;
  last: number;
  previous: number;
}
/** One scrape's prefetched answers, by `op path`. */
type Snapshot = ReadonlyMap<string, BatchRecord>;
type FileReads = Pick<Sources, 'readFile' | 'readDir' | 'realpath' | 'statfs' | 'mtime'>;

/**
 * Sessions are opened one at a time on the connection. dropbear 2022.82 to 2024.85 (OpenWrt 22.03
 * and later) drops the whole connection when a channel's command exits while another channel is
 * being opened (`Failed assertion (common-channel.c:705): !channel->sent_close`; dropbear issue
 * 321, OpenWrt issue 11208): against Debian's dropbear 2022.83, 8 sessions at once lost 9 of 40,
 * 4 at once 1 of 20, one at a time none of 150. A long-lived stream holds its turn only until its
 * command has started.
 */
const STREAM_STARTED = 'routerscope-stream-started';

/** A path no scrape has asked for in this many scrapes is no longer prefetched. */
const PREFETCH_KEEP_SCRAPES = 10;
const opKey = (o: FileOp) => `${o.op} ${o.path}`;

// Runs on the router (BusyBox ash or any POSIX sh): `one OP PATH` per operation, each printing one
// record `OK <bytes>\n<bytes>` or `ERR <message>\n`. The trailing x keeps trailing newlines
// through $( ). The operations follow as lines of the same script, every path single-quoted.
const BATCH_FUNCTIONS = `nl='\n'
ok() { v=\${1%x}; printf 'OK %s\\n' "\${#v}"; printf '%s' "$v"; }
err() { printf 'ERR %s\\n' "$(printf '%s' "$1" | tail -n 1)"; }
one() {
  op=$1; p=$2
  case $op in
    read) if c=$(cat -- "$p" 2>&1 && printf x); then ok "$c"; else err "$c"; fi ;;
    list)
      # Built in a variable, not a $(...) subshell: a fork fewer per directory.
      if [ -d "$p" ]; then
        c=
        for e in "$p"/* "$p"/.[!.]* "$p"/..?*; do
          [ -e "$e" ] || [ -L "$e" ] || continue
          if [ -L "$e" ]; then t=symlink; elif [ -d "$e" ]; then t=dir; elif [ -f "$e" ]; then t=file; else t=other; fi
          c="$c$t \${e##*/}$nl"
        done; ok "\${c}x"
      elif [ -e "$p" ]; then err 'Not a directory'; else err 'No such file or directory'; fi ;;
    real)
      # readlink -f also resolves a missing last component; realpath(3) does not.
      if [ ! -e "$p" ]; then err 'No such file or directory'
      elif c=$(readlink -f -- "$p" 2>&1 && printf x); then ok "$c"; else err "$c"; fi ;;
    statfs) if c=$(stat -f -c '%S %b %f %a %c %d' -- "$p" 2>&1 && printf x); then ok "$c"; else err "$c"; fi ;;
    mtime) if c=$(stat -c '%Y' -- "$p" 2>&1 && printf x); then ok "$c"; else err "$c"; fi ;;
  esac
}
# Every statfs at once: one stat for all the paths, or one each if any fails (its own message).
sf() {
  if c=$(stat -f -c '%S %b %f %a %c %d' -- "$@" 2>/dev/null); then
    for p; do ok "\${c%%"$nl"*}\${nl}x"; c=\${c#*"$nl"}; done
  else for p; do one statfs "$p"; done; fi
}
# Every read at once: one head over the files that exist, framed by its own ==> path <== headers
# (two processes instead of two per file). If head reports any error (a sysfs attribute that
# answers EINVAL), each file is read again on its own, so every error keeps its message.
rd() {
  m=$1; shift
  c=$(for p; do shift; [ -e "$p" ] && [ ! -d "$p" ] && set -- "$@" "$p"; done
      head -c "$m" /dev/null "$@" 2>/dev/null; printf 'x%s' "$?")
  rc=\${c##*x}; c=\${c%x*}
  if [ "$rc" = 0 ]; then printf 'HEADS %s\\n' "\${#c}"; printf '%s' "$c"
  else printf 'HEADS -1\\n'; for p; do one read "$p"; done; fi
}`;

// The commands of the prefetch, started together in the background (`bg`) before the file
// operations, then waited for in order (`fg`) and answered together (`fin`): each with its own
// timeout and output cap (`ulimit -f`, in 512-byte blocks, so a flood stops at the cap instead of
// filling the router's RAM-backed /tmp), answered as `CMD <exit> ok|timeout|big <out bytes> <err
// bytes>`. The router pays one process per command: one watchdog per distinct timeout (`dogs`)
// kills the commands still running at it, one `wc` counts every output and one `cat` sends them
// all. The watchdogs hold no descriptor of the channel, so a leftover `sleep` never keeps the
// session open. Every file a command leaves in $tmp is emptied when `bg` starts it, by the shell
// itself, so that one temporary directory serves every batch of a session; a marker file counts
// when it is not empty (-s).
const BATCH_COMMANDS = `bg() {
  id=$1 t=$2 b=$3; shift 3
  case " $ts " in *" $t "*) ;; *) ts="$ts $t"; : >"$tmp/T$t" ;; esac
  : >"$tmp/$id.t"; : >"$tmp/$id.h"; : >"$tmp/$id.o.n"; : >"$tmp/$id.h.n"
  ( ulimit -f "$b"; exec "$@" ) </dev/null >"$tmp/$id.o" 2>"$tmp/$id.e" &
  echo "$!" >"$tmp/$id.p"
  echo "$id $!" >>"$tmp/T$t"
}
dogs() {
  : >"$tmp/dogs"
  for t in $ts; do
    ( sleep "$t"; while read -r id p; do kill -9 "$p" && echo >"$tmp/$id.t"; done <"$tmp/T$t" ) </dev/null >/dev/null 2>&1 &
    echo "$!" >>"$tmp/dogs"
  done
  ts=
}
fg() {
  read -r p <"$tmp/$1.p"
  wait "$p"
  echo "$? $2" >"$tmp/$1.r"
}
fin() {
  # Waited for even when it has fired and gone: a session shell must not keep them as zombies.
  while read -r w; do kill "$w"; wait "$w"; done <"$tmp/dogs" 2>/dev/null
  n=$1; set --; i=0
  while [ "$i" -lt "$n" ]; do
    [ -s "$tmp/$i.e" ] && head -c 4096 "$tmp/$i.e" >"$tmp/$i.h"
    [ -s "$tmp/$i.o" ] && set -- "$@" "$tmp/$i.o"
    [ -s "$tmp/$i.h" ] && set -- "$@" "$tmp/$i.h"
    i=$((i + 1))
  done
  # One wc for every size (a lone file has no "total" line; the total is no file of ours).
  if [ $# -gt 0 ]; then
    wc -c "$@" >"$tmp/sizes"
    while read -r bytes f; do case $f in "$tmp"/*) echo "$bytes" >"$f.n" ;; esac; done <"$tmp/sizes"
  fi
  set --; i=0
  while [ "$i" -lt "$n" ]; do
    read -r rc m <"$tmp/$i.r"
    o=0 en=0
    [ -s "$tmp/$i.o.n" ] && read -r o <"$tmp/$i.o.n"
    [ -s "$tmp/$i.h.n" ] && read -r en <"$tmp/$i.h.n"
    what=ok size=$o
    if [ -s "$tmp/$i.t" ]; then what=timeout size=0
    elif [ "$o" -gt "$m" ]; then what=big size=0; fi
    printf 'CMD %s %s %s %s\\n' "$rc" "$what" "$size" "$en" >"$tmp/$i.c"
    set -- "$@" "$tmp/$i.c"
    [ "$size" -gt 0 ] && set -- "$@" "$tmp/$i.o"
    [ "$en" -gt 0 ] && set -- "$@" "$tmp/$i.h"
    i=$((i + 1))
  done
  cat "$@"
  # The outputs emptied by the shell, not removed by an rm: a session keeps its directory.
  i=0
  while [ "$i" -lt "$n" ]; do : >"$tmp/$i.o"; : >"$tmp/$i.e"; i=$((i + 1)); done
}`;

/** A temporary directory for the commands' outputs, removed when the script (or session) ends. */
const BATCH_TEMP = `tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
ts=`;

/** What a session's bootstrap answers where stdin is no pipe: batches then go one channel each. */
const NO_PIPE = 'ROUTERSCOPE-NO-PIPE';

/**
 * The whole remote command line, the same for every command: read the script's length, then the
 * script, and run it in the login shell. When something follows the script on stdin (a file's new
 * content, or the open channel a watched stream waits on), exactly that many bytes, one per read
 * (dd bs=1) so that the rest stays there. When nothing follows (`all`), or the script goes on
 * for as long as the channel is open (`session`, the batches), the shell sources it from the
 * channel's pipe itself, with no process (`cat`) to read it and no copy to eval, its commands'
 * stdin at /dev/null; where stdin is no pipe (a server that gives a socket), `all` has one cat read
 * it to the end, and `session` says so.
 */
export const BOOTSTRAP = `read -r n r && case $r in all | session) if [ -p /proc/self/fd/0 ]; then { . /proc/self/fd/3; } 3<&0 </dev/null; elif [ "$r" = all ]; then s=$(cat) && eval "$s"; else echo ${NO_PIPE}; fi ;; *) s=$(dd bs=1 count="$n" 2>/dev/null) && eval "$s" ;; esac`;

// Runs a long-lived command on the router for as long as our end of the channel is open: when the
// connection drops or the stream is stopped, stdin reaches EOF and the command is killed, so no
// `logread -f` or `ping` is left behind on the router (without a tty, nothing else would stop it).
// A background job's stdin is /dev/null unless redirected, hence the channel's stdin on fd 3.
const watchedScript = (command: string) => `exec 3<&0
${command} </dev/null 3<&- & c=$!
{ cat <&3 >/dev/null; kill "$c"; } >/dev/null 2>&1 &
exec 3<&-
wait "$c"`;

/** An errno code for a remote error message, so collectors treat missing files as they do locally. */
function errnoOf(message: string): string {
  if (/No such file/i.test(message)) return 'ENOENT';
  if (/Not a directory/i.test(message)) return 'ENOTDIR';
  if (/Invalid argument/i.test(message)) return 'EINVAL';
  if (/Permission denied/i.test(message)) return 'EACCES';
  if (/No such device/i.test(message)) return 'ENODEV';
  if (/not supported/i.test(message)) return 'EOPNOTSUPP';
  if (/busy/i.test(message)) return 'EBUSY';
  return 'EIO';
}

/**
 * Waits for a stream's first line, the marker its script prints before it starts the command, and
 * gives back whatever followed the marker to the stream's reader. Rejects if the session ends or
 * the marker does not come in time; the child is then killed.
 */
function streamStarted(child: ChildProcess, timeoutMs: number): Promise<void> {
  const stdout = child.stdout!;
  return new Promise((resolve, reject) => {
    let seen = Buffer.alloc(0);
    const done = (error?: Error) => {
      clearTimeout(timer);
      stdout.off('data', onData);
      child.off('close', onClose);
      if (error) {
        killProcessGroup(child);
        reject(error);
      } else resolve();
    };
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const nl = seen.indexOf(0x0a);
      if (nl < 0) return;
      stdout.pause();
      const rest = seen.subarray(nl + 1);
      if (seen.subarray(0, nl).toString() !== STREAM_STARTED)
        return done(new RouterscopeError('COMMAND_FAILED', `stream did not start: "${seen.subarray(0, Math.min(nl, 80)).toString()}"`));
      if (rest.length > 0) stdout.unshift(rest);
      done();
    };
    const onClose = (code: number | null) =>
      done(new RouterscopeError('COMMAND_FAILED', `stream session ended before its command started (exit ${code})`));
    const timer = setTimeout(() => done(new RouterscopeError('COMMAND_TIMEOUT', `stream did not start within ${timeoutMs} ms`)), timeoutMs);
    stdout.on('data', onData);
    child.once('close', onClose);
  });
}

const commandKey = (command: string, args: readonly string[]) => JSON.stringify([command, ...args]);

/** A prefetched command's answer as the same result or error that running it alone gives. */
function commandResult(
  host: string,
  command: string,
  display: string,
  r: CommandRecord,
  timeoutMs: number,
  maxBytes: number,
): Promise<CommandResult> {
  if (r.outcome === 'timeout')
    return Promise.reject(new RouterscopeError('COMMAND_TIMEOUT', `${display}: timed out after ${timeoutMs} ms`));
  if (r.outcome === 'big')
    return Promise.reject(new RouterscopeError('COMMAND_OUTPUT_TOO_LARGE', `${display}: output exceeds ${maxBytes} bytes`));
  if (r.exitCode === 127) return Promise.reject(new RouterscopeError('COMMAND_NOT_FOUND', `command "${command}" not found on ${host}`));
  if (r.exitCode !== 0) {
    const why = redactText(r.stderr.trim().split('\n')[0] ?? '') || 'no message';
    return Promise.reject(new CommandError(display, r.exitCode, r.stderr, `${display}: exit ${r.exitCode}: ${why}`));
  }
  return Promise.resolve({ stdout: r.stdout.toString('utf8'), stdoutBytes: Buffer.from(r.stdout), stderr: r.stderr });
}

/** Reads the framed records of the batch script's output, one at a time. */
class RecordReader {
  private at = 0;
  constructor(private readonly out: Buffer) {}

  private header(what: string): string {
    const nl = this.out.indexOf(0x0a, this.at);
    if (nl < 0) throw new RouterscopeError('PARSE_ERROR', `ssh batch: output ends before ${what}`);
    const header = this.out.subarray(this.at, nl).toString('utf8');
    this.at = nl + 1;
    return header;
  }

  private bytes(n: number): Buffer {
    const b = this.out.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }

  fileRecord(what: string): BatchRecord {
    const header = this.header(what);
    const ok = /^OK (\d+)$/.exec(header);
    if (ok) return { ok: true, text: this.bytes(Number(ok[1])).toString('utf8') };
    if (header.startsWith('ERR ')) return { ok: false, message: header.slice(4) };
    throw new RouterscopeError('PARSE_ERROR', `ssh batch: unexpected "${header.slice(0, 40)}"`);
  }

  /** The reads: one `HEADS` record split at head's headers, or after `HEADS -1` one record each. */
  reads(paths: readonly string[]): BatchRecord[] {
    const header = this.header('the reads');
    const heads = /^HEADS (-1|\d+)$/.exec(header);
    if (!heads) throw new RouterscopeError('PARSE_ERROR', `ssh batch: unexpected "${header.slice(0, 40)}"`);
    if (heads[1] === '-1') return paths.map((p) => this.fileRecord(p));
    return splitHeads(this.bytes(Number(heads[1])).toString('utf8'), paths);
  }

  command(i: number): CommandRecord {
    const header = this.header(`command ${i}`);
    const m = /^CMD (\d+) (ok|timeout|big) (\d+) (\d+)$/.exec(header);
    if (!m) throw new RouterscopeError('PARSE_ERROR', `ssh batch: unexpected "${header.slice(0, 40)}"`);
    const stdout = this.bytes(Number(m[3]));
    return { exitCode: Number(m[1]), outcome: m[2] as CommandRecord['outcome'], stdout, stderr: this.bytes(Number(m[4])).toString('utf8') };
  }
}

/**
 * head's output for several files: `==> /dev/null <==` first (so that even one file gets a
 * header), then `\n==> PATH <==\n` before each file that exists; a file without its header was
 * missing when the script ran.
 */
export function splitHeads(text: string, paths: readonly string[]): BatchRecord[] {
  const first = '==> /dev/null <==\n';
  if (!text.startsWith(first)) throw new RouterscopeError('PARSE_ERROR', 'ssh batch: head output without its first header');
  let pos = first.length;
  const found: Array<{ index: number; headerAt: number; contentAt: number }> = [];
  paths.forEach((p, index) => {
    const header = `\n==> ${p} <==\n`;
    const at = text.indexOf(header, pos - 1);
    if (at < 0) return;
    found.push({ index, headerAt: at, contentAt: at + header.length });
    pos = at + header.length;
  });
  const records: BatchRecord[] = paths.map(() => ({ ok: false, message: 'No such file or directory' }));
  found.forEach((f, i) => (records[f.index] = { ok: true, text: text.slice(f.contentAt, found[i + 1]?.headerAt ?? text.length) }));
  return records;
}

/** Splits the batch script's output: the other file operations, the reads, then the commands. */
export function parseBatchOutput(
  out: Buffer,
  others: number,
  reads: readonly string[] = [],
  commands = 0,
): { others: BatchRecord[]; reads: BatchRecord[]; commands: CommandRecord[] } {
  const reader = new RecordReader(out);
  const otherRecords = Array.from({ length: others }, (_, i) => reader.fileRecord(`answer ${i + 1} of ${others}`));
  return {
    others: otherRecords,
    reads: reads.length > 0 ? reader.reads(reads) : [],
    commands: Array.from({ length: commands }, (_, i) => reader.command(i)),
  };
}

function settle(p: Pending, record: BatchRecord): void {
  if (record.ok) p.resolve(record.text);
  else p.reject(Object.assign(new Error(`${p.path}: ${record.message}`), { code: errnoOf(record.message) }));
}

/** `ls`-style listing lines ("<type> <name>") as DirEntry, sorted like the local listing. */
function parseListing(text: string): DirEntry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const sp = l.indexOf(' ');
      return { type: l.slice(0, sp) as DirEntry['type'], name: l.slice(sp + 1) };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function parseStatfs(text: string): FsStats {
  const [blockSize, blocks, blocksFree, blocksAvailable, files, filesFree] = text.trim().split(/\s+/).map(Number);
  return {
    blockSize: blockSize!,
    blocks: blocks!,
    blocksFree: blocksFree!,
    blocksAvailable: blocksAvailable!,
    files: files!,
    filesFree: filesFree!,
  };
}

/**
 * One login shell kept open on the connection for the batches: the functions are defined and the
 * temporary directory made once, and each batch sends only its own lines, followed by a marker
 * line no output can end with (random per batch). Against a channel per batch, the router is
 * spared a session in sshd or dropbear, a login shell, and a mktemp and an rm a scrape. A batch
 * that times out or floods ends the session; the next batch opens another.
 */
class BatchSession {
  closed = false;
  private chunks: Buffer[] = [];
  private bytes = 0;
  private stderr = '';
  private waiter: ((error?: Error) => void) | undefined;

  constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.bytes += chunk.length;
      this.waiter?.();
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4096)));
    child.on('close', (code, signal) => {
      this.closed = true;
      const why = redactText(this.stderr.trim().split('\n').pop() ?? '');
      this.waiter?.(new RouterscopeError('COMMAND_FAILED', `session ended (exit ${code ?? signal})${why ? `: ${why}` : ''}`));
    });
  }

  /** Runs one batch; resolves with its output once the marker that follows it has arrived. */
  run(script: string, display: string, limits: { timeoutMs: number; maxBytes: number }): Promise<Buffer> {
    if (this.closed) return Promise.reject(new RouterscopeError('COMMAND_FAILED', `${display}: session ended`));
    const end = `BATCH-END ${nodeCrypto().randomBytes(12).toString('hex')}`;
    const marker = Buffer.from(`${end}\n`);
    this.child.stdin!.write(`${script}printf '%s\\n' '${end}'\n`);
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.waiter = undefined;
        if (error) {
          this.kill();
          return reject(error);
        }
        const out = Buffer.concat(this.chunks).subarray(0, this.bytes - marker.length);
        [this.chunks, this.bytes] = [[], 0];
        resolve(out);
      };
      const timer = setTimeout(
        () => finish(new RouterscopeError('COMMAND_TIMEOUT', `${display}: timed out after ${limits.timeoutMs} ms`)),
        limits.timeoutMs,
      );
      this.waiter = (error) => {
        if (error) return finish(new RouterscopeError('COMMAND_FAILED', `${display}: ${error.message}`));
        if (this.bytes > limits.maxBytes + marker.length)
          return finish(new RouterscopeError('COMMAND_OUTPUT_TOO_LARGE', `${display}: output exceeds ${limits.maxBytes} bytes`));
        // Only the end is compared: the chunks are joined when the last one is shorter than the marker.
        if (this.chunks.length > 1 && this.chunks.at(-1)!.length < marker.length) this.chunks = [Buffer.concat(this.chunks)];
        const last = this.chunks.at(-1);
        if (last && last.length >= marker.length && last.subarray(last.length - marker.length).equals(marker)) finish();
      };
      this.waiter();
    });
  }

  /** Whether the session's output so far holds `text` (what a failed start said). */
  said(text: string): boolean {
    return Buffer.concat(this.chunks).includes(text);
  }

  kill(): void {
    this.closed = true;
    killProcessGroup(this.child, 'SIGKILL', true);
  }
}

export class SshSources implements Sources {
  readonly description: string;
  readonly remoteClock = true;
  private readonly controlDir: string;
  private queue: Pending[] = [];
  private scheduled = false;
  /** Remote commands started (round trips), and file operations answered by them. */
  private readonly stats = {
    connections: 0,
    commands: 0,
    sessions: 0,
    /** Long-lived commands (log followers, probers) started: a restart between scrapes is one. */
    streams: 0,
    batched_operations: 0,
    prefetched_operations: 0,
    prefetched_commands: 0,
  };
  /** Commands the scrapes' collectors ran, by commandKey. */
  private readonly learnedCommands = new Map<string, LearnedCommand>();
  private master: { readonly child: ChildProcess; readonly ready: Promise<void> } | undefined;
  /** The login shell that runs the batches, kept open between scrapes (see BatchSession). */
  private session: BatchSession | undefined;
  /** Set when the server gives the session no pipe to source from: batches run one channel each. */
  private sessionless = false;
  /** Set by close(): a stream stopping late must not open a new connection that nobody closes. */
  private closed = false;
  /** Settles when the session in its turn has finished (or, for a stream, started). */
  private turn: Promise<void> = Promise.resolve();
  /** File operations scrapes asked for, with the number of the last scrape that did. */
  private readonly learned = new Map<string, { readonly op: FileOp; scrape: number }>();
  private scrapes = 0;
  private readonly direct: FileReads;

  constructor(private readonly o: SshSourcesOptions) {
    this.description = `ssh://${o.target.user}@${o.target.host}:${o.target.port} rootfs ${o.rootfs}`;
    // A short path: control sockets are limited to ~100 characters.
    this.controlDir = path.join(tmpdir(), `rs-ssh-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(this.controlDir, { recursive: true, mode: 0o700 });
    this.direct = this.fileReads(undefined);
  }

  counters(): Record<string, number> {
    return { ...this.stats };
  }

  private get controlPath(): string {
    return path.join(this.controlDir, 'master');
  }

  private sshArgs(): string[] {
    const o = this.o;
    return [
      '-T',
      '-p',
      String(o.target.port),
      '-o',
      'BatchMode=yes',
      '-o',
      `ConnectTimeout=${o.connectTimeoutSeconds}`,
      '-o',
      'ServerAliveInterval=10',
      '-o',
      'ServerAliveCountMax=3',
      '-o',
      `StrictHostKeyChecking=${o.strictHostKeyChecking}`,
      ...(o.knownHostsFile ? ['-o', `UserKnownHostsFile=${o.knownHostsFile}`] : []),
      ...(o.identityFile ? ['-i', o.identityFile, '-o', 'IdentitiesOnly=yes'] : []),
      '-o',
      'LogLevel=ERROR',
      '-S',
      this.controlPath,
    ];
  }

  /**
   * The one connection: a control master started by the first command and shared by every later
   * one. Commands wait for it, so concurrent first commands never open connections of their own.
   * Its control socket appears once the server has let it in; a master that exits (a dropped
   * connection) is replaced by the next command.
   */
  private connect(): Promise<void> {
    if (this.closed)
      return Promise.reject(
        new RouterscopeError('COMMAND_FAILED', `ssh ${this.o.target.host}: transport closed (config reloaded or exporter stopping)`),
      );
    const current = this.master;
    if (current && current.child.exitCode === null && current.child.signalCode === null) return current.ready;
    this.stats.connections++;
    rmSync(this.controlPath, { force: true });
    const { target, connectTimeoutSeconds } = this.o;
    const child = spawn('ssh', [...this.sshArgs(), '-M', '-N', '-o', 'ControlPersist=no', `${target.user}@${target.host}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      const fail = (why: string) => {
        clearInterval(poll);
        clearTimeout(timer);
        killProcessGroup(child);
        reject(new RouterscopeError('COMMAND_FAILED', why));
      };
      const poll = setInterval(() => {
        if (!existsSync(this.controlPath)) return;
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }, 10);
      const timer = setTimeout(
        () => fail(`ssh ${target.host}: no connection within ${connectTimeoutSeconds + 2} s`),
        (connectTimeoutSeconds + 2) * 1000,
      );
      child.once('error', (e) => fail(`ssh ${target.host}: ${e.message}`));
      child.once('exit', (code) => fail(stderr.trim().split('\n').pop() || `ssh ${target.host}: connection closed (exit ${code})`));
    });
    ready.catch(() => undefined);
    this.master = { child, ready };
    return ready;
  }

  /** The script's preamble: the router's PATH with the bin path first. */
  private preamble(): string {
    const pathVar = [...this.o.binPath, ...DEFAULT_BIN_PATH].map(shellQuote).join(':');
    return `PATH=${pathVar} LC_ALL=C; export PATH LC_ALL\n`;
  }

  /**
   * Starts a script on the router over the shared connection: the bootstrap on the command line,
   * the script on stdin, then `stdin` and EOF, or an open stdin when `stdin` is null.
   */
  private start(script: string, stdin: string | Buffer | null = '', session = false): ChildProcess {
    this.stats.commands++;
    const { target } = this.o;
    const body = Buffer.from(this.preamble() + script, 'utf8');
    const child = spawn('ssh', [...this.sshArgs(), '-o', 'ControlMaster=no', `${target.user}@${target.host}`, BOOTSTRAP], {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.on('error', () => undefined); // a command that exits before reading
    child.stdin.write(`${body.length}${session ? ' session' : stdin === '' ? ' all' : ''}\n`);
    child.stdin.write(body);
    if (stdin !== null) child.stdin.end(stdin);
    return child;
  }

  /**
   * The batches' session, opened in the caller's turn: a login shell that has defined the batch
   * functions and made its temporary directory, then waits for batches on its stdin.
   */
  private async batchSession(): Promise<BatchSession | undefined> {
    if (this.session && !this.session.closed) return this.session;
    if (this.sessionless) return undefined;
    this.stats.sessions++;
    const session = new BatchSession(this.start(`${BATCH_FUNCTIONS}\n${BATCH_COMMANDS}\n${BATCH_TEMP}\n`, null, true));
    const display = `ssh ${this.o.target.host}: batch session`;
    try {
      const greeting = await session.run('', display, { timeoutMs: this.o.commandTimeoutMs, maxBytes: 1024 });
      if (greeting.length > 0) throw new RouterscopeError('COMMAND_FAILED', `${display}: said "${redactText(greeting.toString().trim())}"`);
    } catch (e) {
      session.kill();
      if (!session.said(NO_PIPE)) throw e;
      this.sessionless = true;
      this.o.log.info({ host: this.o.target.host }, "the router's SSH server gives the shell no pipe to read: one channel per batch");
      return undefined;
    }
    this.session = session;
    return session;
  }

  /** Runs `work` when no other session is being opened or run (see STREAM_STARTED's comment). */
  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.turn;
    let release!: () => void;
    this.turn = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      await this.connect();
      return await work();
    } finally {
      release();
    }
  }

  /** Runs a script to completion over the shared connection, in its turn. */
  private runScript(
    script: string,
    display: string,
    limits: { timeoutMs: number; maxBytes: number; signal?: AbortSignal | undefined },
    stdin: string | Buffer = '',
  ): Promise<CommandResult> {
    return this.inTurn(() => runChild(() => this.start(script, stdin), display, limits));
  }

  private resolve(file: string): string {
    return path.posix.join(this.o.rootfs, file);
  }

  // ---- batched file operations

  /**
   * Runs file operations, and commands, in one remote script: the commands start first and run
   * while the files are read, each stopped by its own timeout (`commandTimeoutMs` at most).
   */
  private async batch(
    ops: readonly FileOp[],
    timeoutMs = this.o.commandTimeoutMs,
    commands: readonly LearnedCommand[] = [],
    commandTimeoutMs = timeoutMs,
  ): Promise<{ files: BatchRecord[]; commands: CommandRecord[] }> {
    const lines: string[] = [];
    if (commands.length > 0) {
      commands.forEach((c, i) => {
        const seconds = Math.max(1, Math.floor(Math.min(c.options.timeoutMs ?? this.o.commandTimeoutMs, commandTimeoutMs) / 1000));
        const blocks = Math.ceil(((c.options.maxBytes ?? this.o.maxOutputBytes) + 1) / 512) + 1;
        lines.push(`bg ${i} ${seconds} ${blocks} ${[c.command, ...c.args].map(shellQuote).join(' ')}`);
      });
      lines.push('dogs');
    }
    const reads = ops.filter((p) => p.op === 'read');
    const statfs = ops.filter((p) => p.op === 'statfs');
    const singles = ops.filter((p) => p.op !== 'read' && p.op !== 'statfs');
    for (const p of singles) lines.push(`one ${p.op} ${shellQuote(p.path)}`);
    if (statfs.length > 0) lines.push(`sf ${statfs.map((p) => shellQuote(p.path)).join(' ')}`);
    const others = [...singles, ...statfs];
    if (reads.length > 0) lines.push(`rd ${this.o.maxOutputBytes} ${reads.map((p) => shellQuote(p.path)).join(' ')}`);
    commands.forEach((c, i) => lines.push(`fg ${i} ${c.options.maxBytes ?? this.o.maxOutputBytes}`));
    if (commands.length > 0) lines.push(`fin ${commands.length}`);
    const what = `${ops.length} file operations${commands.length ? ` and ${commands.length} commands` : ''}`;
    const display = `ssh ${this.o.target.host}: ${what}`;
    // One cap for all the file operations together, as before batching, and one per command.
    const limits = { timeoutMs, maxBytes: this.o.maxOutputBytes * (1 + commands.length) };
    const stdoutBytes = await this.inTurn(async () => {
      const session = await this.batchSession();
      if (session) {
        this.stats.commands++;
        return session.run(`${lines.join('\n')}\n`, display, limits);
      }
      const setup = [BATCH_FUNCTIONS, ...(commands.length > 0 ? [BATCH_COMMANDS, BATCH_TEMP] : [])];
      return (await runChild(() => this.start(`${[...setup, ...lines].join('\n')}\n`), display, limits)).stdoutBytes;
    });
    // Back in the order asked: the other operations, the reads, then the commands.
    const {
      others: otherRecords,
      reads: readRecords,
      commands: commandRecords,
    } = parseBatchOutput(
      stdoutBytes,
      others.length,
      reads.map((p) => p.path),
      commands.length,
    );
    const byOp = new Map<FileOp, BatchRecord>();
    others.forEach((p, i) => byOp.set(p, otherRecords[i]!));
    reads.forEach((p, i) => byOp.set(p, readRecords[i]!));
    return { files: ops.map((p) => byOp.get(p)!), commands: commandRecords };
  }

  private async flush(): Promise<void> {
    const pending = this.queue;
    this.queue = [];
    this.scheduled = false;
    this.stats.batched_operations += pending.length;
    try {
      const { files } = await this.batch(pending);
      pending.forEach((p, i) => settle(p, files[i]!));
    } catch (e) {
      for (const p of pending) p.reject(e as Error);
    }
  }

  /** One file operation: from the scrape's snapshot when it holds it, else in the next batch. */
  private fileOp(op: Op, file: string, snapshot: Snapshot | undefined): Promise<string> {
    const fileOp = { op, path: this.resolve(file) };
    const key = opKey(fileOp);
    const learned = this.learned.get(key);
    if (learned) learned.scrape = this.scrapes;
    else this.learned.set(key, { op: fileOp, scrape: this.scrapes });
    return new Promise((resolve, reject) => {
      const pending = { ...fileOp, resolve, reject };
      const record = snapshot?.get(key);
      if (record) return settle(pending, record);
      this.queue.push(pending);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private fileReads(snapshot: Snapshot | undefined): FileReads {
    const op = (o: Op, file: string) => this.fileOp(o, file, snapshot);
    const root = this.o.rootfs.replace(/\/$/, '');
    return {
      readFile: async (file, options) => {
        options?.signal?.throwIfAborted();
        return op('read', file);
      },
      readDir: async (dir) => parseListing(await op('list', dir)),
      realpath: async (file) => {
        const real = (await op('real', file)).trim();
        return root && real.startsWith(root + '/') ? real.slice(root.length) : real;
      },
      statfs: async (dir) => parseStatfs(await op('statfs', dir)),
      mtime: async (file) => Number((await op('mtime', file)).trim()),
    };
  }

  readFile: Sources['readFile'] = (f, o) => this.direct.readFile(f, o);
  readDir: Sources['readDir'] = (d) => this.direct.readDir(d);
  realpath: Sources['realpath'] = (f) => this.direct.realpath(f);
  statfs: Sources['statfs'] = (d) => this.direct.statfs(d);
  mtime: Sources['mtime'] = (f) => this.direct.mtime(f);

  /**
   * The sources one scrape uses: every file operation of the recent scrapes is answered from one
   * remote command made now; anything new goes to the router as usual (and is prefetched next time).
   * The prefetch may take at most `timeoutMs`, leaving the rest of the scrape's time to collectors.
   */
  async forScrape(timeoutMs: number): Promise<Sources> {
    const scrape = ++this.scrapes;
    for (const [key, l] of this.learned) if (scrape - l.scrape > PREFETCH_KEEP_SCRAPES) this.learned.delete(key);
    for (const [key, c] of this.learnedCommands) if (scrape - c.last > PREFETCH_KEEP_SCRAPES) this.learnedCommands.delete(key);
    const ops = [...this.learned.values()].map((l) => l.op);
    // A command joins the prefetch once two scrapes in a row ran it: one that a collector runs only
    // every few scrapes (nlbw, with its refresh interval) keeps running only when it is wanted.
    const commands = [...this.learnedCommands.values()].filter((c) => c.last === scrape - 1 && c.previous === scrape - 2);
    const snapshot = new Map<string, BatchRecord>();
    const commandSnapshot = new Map<string, CommandRecord>();
    if (ops.length + commands.length > 0) {
      // The prefetch's own limit; each command in it stops a second earlier, so that one that hangs
      // costs only its own collector, never the files and commands beside it.
      const limit = Math.min(timeoutMs, Math.max(this.o.commandTimeoutMs, 2000));
      try {
        const records = await this.batch(ops, limit, commands, limit - 1000);
        ops.forEach((o, i) => snapshot.set(opKey(o), records.files[i]!));
        commands.forEach((c, i) => commandSnapshot.set(commandKey(c.command, c.args), records.commands[i]!));
        this.stats.prefetched_operations += ops.length;
        this.stats.prefetched_commands += commands.length;
      } catch (e) {
        // Each collector then asks on its own and reports its failure.
        this.o.log.debug({ err: (e as Error).message }, 'prefetch failed');
      }
    }
    return scrapeView(this, {
      ...this.fileReads(snapshot),
      run: (command, args, options = {}) => {
        const key = commandKey(command, args);
        const learned = this.learnedCommands.get(key);
        if (!learned)
          this.learnedCommands.set(key, {
            command,
            args: [...args],
            options: { timeoutMs: options.timeoutMs, maxBytes: options.maxBytes },
            last: scrape,
            previous: 0,
          });
        else if (learned.last !== scrape) [learned.previous, learned.last] = [learned.last, scrape];
        const record = commandSnapshot.get(key);
        if (!record) return this.run(command, args, options);
        commandSnapshot.delete(key); // a second run in the same scrape goes to the router
        return commandResult(
          this.o.target.host,
          command,
          [command, ...args].join(' '),
          record,
          options.timeoutMs ?? this.o.commandTimeoutMs,
          options.maxBytes ?? this.o.maxOutputBytes,
        );
      },
    });
  }

  async readBytes(file: string, options?: { signal?: AbortSignal }): Promise<Buffer> {
    // Binary content cannot travel through a shell variable: a command of its own.
    return (await this.run('cat', ['--', this.resolve(file)], { signal: options?.signal })).stdoutBytes;
  }

  // ---- commands and streams

  async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    if (command.includes('/') || command === '' || command.startsWith('-'))
      throw new RouterscopeError('COMMAND_NOT_FOUND', `invalid command name "${command}"`);
    try {
      return await this.runScript(`exec ${[command, ...args].map(shellQuote).join(' ')} </dev/null\n`, [command, ...args].join(' '), {
        timeoutMs: options.timeoutMs ?? this.o.commandTimeoutMs,
        maxBytes: options.maxBytes ?? this.o.maxOutputBytes,
        signal: options.signal,
      });
    } catch (e) {
      // The remote shell's "not found" is exit 127.
      if (e instanceof CommandError && e.exitCode === 127) {
        throw new RouterscopeError('COMMAND_NOT_FOUND', `command "${command}" not found on ${this.o.target.host}`);
      }
      throw e;
    }
  }

  async spawn(command: string, args: readonly string[]): Promise<ChildProcess> {
    return this.inTurn(async () => {
      this.stats.streams++;
      const child = this.start(`printf '%s\\n' ${STREAM_STARTED}\n${watchedScript([command, ...args].map(shellQuote).join(' '))}`, null);
      await streamStarted(child, this.o.commandTimeoutMs);
      return child;
    });
  }

  followFile(file: string, onLine: (line: string) => void, log: Logger): LineFollower {
    // tail -F reopens a rotated file by name on the router.
    return new LineStream({ sources: this, command: 'tail', args: ['-n', '0', '-F', this.resolve(file)], onLine, log });
  }

  async writeFile(file: string, data: string | Buffer): Promise<void> {
    const target = this.resolve(file);
    const temp = `${target}.routerscope`;
    await this.runScript(
      `cat > ${shellQuote(temp)} && mv -f ${shellQuote(temp)} ${shellQuote(target)}\n`,
      `write ${target}`,
      {
        timeoutMs: this.o.commandTimeoutMs,
        maxBytes: 1024,
      },
      data,
    );
  }

  /** Closes the shared connection: every session on it ends, and with them the remote streams. */
  close(): void {
    this.closed = true;
    this.session?.kill();
    this.session = undefined;
    const master = this.master?.child;
    this.master = undefined;
    const remove = () => rmSync(this.controlDir, { recursive: true, force: true });
    if (!master || master.exitCode !== null || master.signalCode !== null) return remove();
    master.once('exit', remove);
    master.kill('SIGTERM');
  }
}
