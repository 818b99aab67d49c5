// Reading helpers shared by collectors: optional files, as sysfs attributes often are.
import type { CollectContext } from '../exporter/collector.ts';
import { isNotFound } from '../exporter/errors.ts';

/** Errors that mean "this attribute has no value here" (a down link's speed, lo's speed...). */
function isUnavailable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (
    isNotFound(err) ||
    code === 'EINVAL' ||
    code === 'EOPNOTSUPP' ||
    code === 'EACCES' ||
    code === 'EPERM' ||
    code === 'ENODEV' ||
    code === 'EBUSY'
  );
}

/** The file's content with trailing whitespace removed, or undefined when it cannot be read. */
export async function readOptional(ctx: Pick<CollectContext, 'sources' | 'signal'>, file: string): Promise<string | undefined> {
  try {
    return (await ctx.sources.readFile(file, { signal: ctx.signal })).trimEnd();
  } catch (e) {
    if (isUnavailable(e)) return undefined;
    throw e;
  }
}

/** An integer attribute (decimal or 0x hex), or undefined when absent or not a number. */
export async function readNumber(ctx: Pick<CollectContext, 'sources' | 'signal'>, file: string): Promise<number | undefined> {
  const text = await readOptional(ctx, file);
  if (text === undefined || text === '') return undefined;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** Directory entries, or none when the directory does not exist. */
export async function readDirOptional(ctx: Pick<CollectContext, 'sources'>, dir: string) {
  try {
    return await ctx.sources.readDir(dir);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}
