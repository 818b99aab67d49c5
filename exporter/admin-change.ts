// The admin's change transaction, LuCI's apply-and-confirm: snapshot the UCI files a change
// touches, run its commands, and keep it only if it is confirmed in time. Without confirmation (or
// when a command fails, or the admin stops) the previous files come back byte for byte and the
// network reloads. One change at a time: the slot stays taken until a rollback has restored and
// reloaded, or a change let in meanwhile would snapshot the unconfirmed state as its "previous" one.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { Logger } from 'pino';
import { NETWORK_RELOAD, uciCommand, type Command } from './admin-wan.ts';
import { errorMessage, HttpError } from './errors.ts';
import type { Sources } from './sources.ts';

export interface ChangeOptions {
  readonly sources: () => Sources;
  readonly log: Logger;
  readonly confirmTimeoutSeconds: number;
  /** Where UCI keeps its files, as the `uci -c` option and as files under the rootfs. */
  readonly configDir: string;
  readonly rootConfigDir: string;
  /** Called when a change was rolled back because no one confirmed it. */
  readonly onTimeout: (what: string) => Promise<void>;
}

export interface Pending {
  readonly id: string;
  readonly confirmBefore: string;
  readonly what: string;
}

export class ChangeTransaction {
  private pending: { id: string; deadline: number; timer: NodeJS.Timeout; snapshots: Map<string, Buffer>; what: string } | undefined;
  private busy = false;

  constructor(private readonly o: ChangeOptions) {}

  /** The change waiting for confirmation, if any. */
  get waiting(): Pending | undefined {
    const p = this.pending;
    return p && { id: p.id, confirmBefore: new Date(p.deadline).toISOString(), what: p.what };
  }

  async run(c: Command): Promise<string> {
    return (await this.o.sources().run(c.command, c.args, { timeoutMs: 30_000 })).stdout;
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
      const snapshots = new Map<string, Buffer>();
      for (const f of files) {
        try {
          snapshots.set(f, await this.o.sources().readBytes(path.join(this.o.rootConfigDir, f)));
        } catch {
          /* a config the router does not have */
        }
      }
      try {
        for (const c of commands) await this.run(c);
      } catch (e) {
        await this.restore(snapshots);
        throw new HttpError(500, `applying failed and was undone: ${errorMessage(e)}`);
      }
      const deadline = Date.now() + this.o.confirmTimeoutSeconds * 1000;
      const timer = setTimeout(() => void this.rollback(), this.o.confirmTimeoutSeconds * 1000);
      timer.unref();
      this.pending = { id: randomUUID(), deadline, timer, snapshots, what };
      return this.waiting!;
    } finally {
      this.busy = false;
    }
  }

  /** Keeps the waiting change; returns what it was. */
  confirm(): string {
    if (!this.pending) throw new HttpError(409, 'nothing is waiting for confirmation');
    clearTimeout(this.pending.timer);
    const what = this.pending.what;
    this.pending = undefined;
    return what;
  }

  private async restore(snapshots: Map<string, Buffer>): Promise<void> {
    for (const [f, bytes] of snapshots) {
      await this.run(uciCommand(this.o.configDir, 'revert', f)).catch(() => undefined);
      await this.o.sources().writeFile(path.join(this.o.rootConfigDir, f), bytes);
    }
    await this.run(NETWORK_RELOAD);
  }

  private async rollback(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.busy = true;
    try {
      await this.restore(pending.snapshots);
      this.o.log.warn({ change: pending.what }, 'change not confirmed in time: previous configuration restored');
      await this.o.onTimeout(pending.what);
    } catch (e) {
      this.o.log.error({ err: errorMessage(e) }, 'rollback failed');
    } finally {
      this.busy = false;
    }
  }

  /** Stopping with a change unconfirmed restores the previous configuration, as its timer would. */
  async close(): Promise<void> {
    if (!this.pending) return;
    clearTimeout(this.pending.timer);
    await this.rollback();
  }
}
