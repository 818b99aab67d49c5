// The admin's change transaction, LuCI's apply-and-confirm made crash-safe: before a change runs,
// the UCI files it touches are copied into a journal on the router's flash, and a rollback guard
// starts on the router, outside the exporter (a detached shell that ignores the hang-up of an SSH
// session). Without confirmation the guard puts the previous files back byte for byte and reloads
// the network, whether the exporter is still running, was killed, or the router rebooted (the
// exporter restores a journal past its deadline at start-up). Confirming removes the journal,
// which leaves the guard nothing to do. One change at a time: the slot stays taken until a
// rollback has restored and reloaded, or a change let in meanwhile would journal the unconfirmed
// state as its "previous" one.
import * as path from 'node:path';
import type { Logger } from 'pino';
import { nodeCrypto } from './lazy-builtins.ts';
import type { Command } from './admin-wan.ts';
import { errorMessage, HttpError } from './errors.ts';
import type { Sources } from './sources.ts';

export interface ChangeOptions {
  readonly sources: () => Sources;
  readonly log: Logger;
  readonly confirmTimeoutSeconds: number;
  /** Where UCI keeps its files, as the `uci -c` option and as files under the rootfs. */
  readonly configDir: string;
  readonly rootConfigDir: string;
  /** Called for a change rolled back because no one confirmed it; `late`: found so at start-up. */
  readonly onRolledBack: (what: string, late: boolean) => Promise<void>;
}

export interface Pending {
  readonly id: string;
  readonly confirmBefore: string;
  readonly what: string;
}

/**
 * Restores the journal of change $3 (in $1, UCI files in $2) now, or with $4 > 0 from a detached
 * guard after $4 seconds. Idempotent: a journal of another change, a confirmed (removed) one or
 * one already rolled back is left alone. BusyBox ash and any POSIX shell.
 */
const RESTORE = `j=$1 cfg=$2 id=$3 wait=$4
restore() {
  [ "$(cat "$j/id" 2>/dev/null)" = "$id" ] || return 0
  [ -e "$j/rolled-back" ] && return 0
  for f in "$j"/files/*; do
    [ -f "$f" ] || continue
    n=\${f##*/}
    uci -c "$cfg" revert "$n" >/dev/null 2>&1
    cp "$f" "$cfg/.$n.routerscope" && mv "$cfg/.$n.routerscope" "$cfg/$n" || return 1
  done
  ubus call network reload >/dev/null 2>&1
  date +%s > "$j/rolled-back"
  logger -t routerscope "change $id not confirmed in time: previous configuration restored" 2>/dev/null
  return 0
}
if [ "$wait" -gt 0 ]; then
  (trap '' HUP; sleep "$wait"; restore) </dev/null >/dev/null 2>&1 &
else
  restore
fi
`;

/**
 * The guard waits this much longer than the exporter: while the exporter lives, it rolls back at
 * the deadline itself (and audits), removing the journal, so the guard finds nothing to do.
 */
const GUARD_GRACE_SECONDS = 5;

export class ChangeTransaction {
  private pending: { id: string; deadline: number; timer: NodeJS.Timeout; what: string } | undefined;
  private busy = false;
  /** The journal, as commands on the router see it and as the Sources' file operations do. */
  private readonly journal: string;
  private readonly rootJournal: string;

  constructor(private readonly o: ChangeOptions) {
    this.journal = path.join(o.configDir, '..', 'routerscope-pending');
    this.rootJournal = path.join(o.rootConfigDir, '..', 'routerscope-pending');
  }

  /** The change waiting for confirmation, if any. */
  get waiting(): Pending | undefined {
    const p = this.pending;
    return p && { id: p.id, confirmBefore: new Date(p.deadline).toISOString(), what: p.what };
  }

  async run(c: Command): Promise<string> {
    return (await this.o.sources().run(c.command, c.args, { timeoutMs: 30_000 })).stdout;
  }

  private sh(script: string, ...args: string[]): Promise<string> {
    return this.run({ command: 'sh', args: ['-c', script, 'routerscope', ...args] });
  }

  private restoreNow(id: string): Promise<string> {
    return this.sh(RESTORE, this.journal, this.o.configDir, id, '0');
  }

  private async readJournal(name: string): Promise<string | undefined> {
    try {
      return (await this.o.sources().readBytes(path.join(this.rootJournal, name))).toString('utf8').trim();
    } catch {
      return undefined;
    }
  }

  /** Applies a change; it is rolled back unless confirmed within the timeout. */
  async apply(what: string, commands: readonly Command[], files: readonly string[]): Promise<Pending> {
    if (this.pending || this.busy) {
      throw new HttpError(
        409,
        this.pending
          ? `a change is waiting for confirmation until ${new Date(this.pending.deadline).toISOString()}: confirm it or let it roll back first`
          : 'another change is being applied or rolled back',
      );
    }
    this.busy = true;
    try {
      const id = nodeCrypto().randomUUID();
      const deadline = Date.now() + this.o.confirmTimeoutSeconds * 1000;
      // The journal first, its id last: a guard or a start-up recovery acts on a complete one only.
      await this.sh('rm -rf "$1" && mkdir -p "$1/files"', this.journal);
      const sources = this.o.sources();
      for (const f of files) {
        let bytes: Buffer;
        try {
          bytes = await sources.readBytes(path.join(this.o.rootConfigDir, f));
        } catch {
          continue; // a config the router does not have
        }
        await sources.writeFile(path.join(this.rootJournal, 'files', f), bytes);
      }
      await sources.writeFile(path.join(this.rootJournal, 'what'), what);
      await sources.writeFile(path.join(this.rootJournal, 'deadline'), String(Math.ceil(deadline / 1000)));
      await sources.writeFile(path.join(this.rootJournal, 'id'), id);
      await this.sh(RESTORE, this.journal, this.o.configDir, id, String(this.o.confirmTimeoutSeconds + GUARD_GRACE_SECONDS));
      try {
        for (const c of commands) await this.run(c);
      } catch (e) {
        await this.restoreNow(id);
        await this.sh('rm -rf "$1"', this.journal);
        throw new HttpError(500, `applying failed and was undone: ${errorMessage(e)}`);
      }
      this.adopt(id, what, deadline);
      return this.waiting!;
    } finally {
      this.busy = false;
    }
  }

  /** Tracks a journalled change, and undoes it at its deadline unless confirmed. */
  private adopt(id: string, what: string, deadline: number): void {
    const timer = setTimeout(() => void this.rollback(), Math.max(0, deadline - Date.now()));
    timer.unref();
    this.pending = { id, deadline, timer, what };
  }

  /** Keeps the waiting change; returns what it was. */
  async confirm(): Promise<string> {
    if (!this.pending || this.busy) throw new HttpError(409, 'nothing is waiting for confirmation');
    const { id, what, timer } = this.pending;
    this.busy = true;
    try {
      // Only this change's journal: the guard may just have rolled it back.
      if ((await this.readJournal('rolled-back')) !== undefined) throw new HttpError(409, 'the change was already rolled back');
      await this.sh('[ "$(cat "$1/id" 2>/dev/null)" = "$2" ] && rm -rf "$1"', this.journal, id);
      clearTimeout(timer);
      this.pending = undefined;
      return what;
    } finally {
      this.busy = false;
    }
  }

  /** Undoes the waiting change unless the guard already has; removes its journal. */
  private async rollback(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending = undefined;
    this.busy = true;
    try {
      await this.restoreNow(pending.id);
      await this.sh('rm -rf "$1"', this.journal);
      this.o.log.warn({ change: pending.what }, 'change not confirmed in time: previous configuration restored');
      await this.o.onRolledBack(pending.what, false);
    } catch (e) {
      this.o.log.error({ err: errorMessage(e) }, 'rollback failed');
    } finally {
      this.busy = false;
    }
  }

  /**
   * At start-up: a journal left by an exporter that died. Rolled back by its guard: audited and
   * removed. Past its deadline (the guard died with the router): restored now. Still in its
   * window: waiting for confirmation again, with the guard still on watch.
   */
  async recover(): Promise<void> {
    const id = await this.readJournal('id');
    if (!id) return;
    const what = (await this.readJournal('what')) ?? 'a change';
    const deadline = Number(await this.readJournal('deadline')) * 1000;
    if ((await this.readJournal('rolled-back')) === undefined && deadline > Date.now()) {
      this.o.log.warn(
        { change: what, confirm_before: new Date(deadline).toISOString() },
        'a change from before the restart awaits confirmation',
      );
      this.adopt(id, what, deadline);
      return;
    }
    this.busy = true;
    try {
      await this.restoreNow(id);
      await this.sh('rm -rf "$1"', this.journal);
      this.o.log.warn({ change: what }, 'a change left unconfirmed before the restart was rolled back');
      await this.o.onRolledBack(what, true);
    } finally {
      this.busy = false;
    }
  }

  /** Stopping with a change unconfirmed restores the previous configuration, as its guard would. */
  async close(): Promise<void> {
    if (this.pending) await this.rollback();
  }
}
