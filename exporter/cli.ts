// The routerscope command line the router needs: serve | once | check-config, with Prometheus-style
// flags. The monitoring host's commands (report, grafana) are added by host-commands.ts.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { pino } from 'pino';
import { definitions } from '../collectors/index.ts';
import { AdminServer } from './admin.ts';
import { LIVE_COLLECTORS } from './admin-live.ts';
import type { CollectorDefinition } from './collector.ts';
import { loadConfig, type Config, type FlagOverride } from './config.ts';
import { ConfigError, errorMessage } from './errors.ts';
import { Exporter } from './exporter.ts';
import { createMetricsServer, listen } from './http.ts';
import { createLogger, type Logger } from './log.ts';
import { render } from './metrics.ts';
import { LocalSources, type Sources } from './sources.ts';
import { parseSshUrl, SshSources } from './ssh-sources.ts';
import { VERSION } from './version.ts';

/** Flags that map onto one config key each. */
const VALUE_FLAGS = [
  {
    flag: '--web.listen-address <address>',
    path: ['web', 'listen_address'],
    help: 'address to serve /metrics on (default 127.0.0.1:9100)',
  },
  {
    flag: '--web.enable-lifecycle',
    path: ['web', 'enable_lifecycle'],
    help: 'allow POST /-/reload (off by default, as in Prometheus; SIGHUP always reloads)',
  },
  { flag: '--path.rootfs <dir>', path: ['path', 'rootfs'], help: 'root of the filesystem to read (default /)' },
  {
    flag: '--path.bin <dirs>',
    path: ['path', 'bin'],
    help: 'colon-separated directories where commands are looked up (default /usr/sbin:/usr/bin:/sbin:/bin)',
    list: true,
  },
  { flag: '--log.level <level>', path: ['log', 'level'], help: 'trace, debug, info, warn or error (default info)' },
  {
    flag: '--target <url>',
    path: ['target', 'url'],
    help: 'agentless: read the router over SSH (ssh://root@192.168.1.1); --path.rootfs and --path.bin then apply on the router',
  },
  {
    flag: '--admin.listen-address <address>',
    path: ['admin', 'listen_address'],
    help: 'address of the admin listener (default 127.0.0.1:9101; starts only with admin.token_file)',
  },
] as const;

function addCommonOptions(command: Command, collectorDefs: readonly CollectorDefinition[]): Command {
  command.addOption(new Option('--config.file <file>', 'YAML configuration file'));
  for (const f of VALUE_FLAGS) command.addOption(new Option(f.flag, f.help));
  command.addOption(
    new Option(
      '--collector.disable-defaults',
      "turn off every collector that --collector.NAME or the config file does not enable (node_exporter's flag)",
    ),
  );
  for (const def of collectorDefs) {
    const state = def.defaultEnabled ? 'default on; --no-collector.' + def.name + ' disables it' : 'default off';
    command.addOption(new Option(`--collector.${def.name}`, `enable the ${def.name} collector: ${def.description} (${state})`));
    command.addOption(new Option(`--no-collector.${def.name}`, `disable the ${def.name} collector`).hideHelp());
  }
  return command;
}

/** Turns parsed flags into config overrides, keeping the flag's spelling for error messages. */
export function flagOverrides(command: Command, collectorDefs: readonly CollectorDefinition[]): FlagOverride[] {
  const opts = command.opts<Record<string, unknown>>();
  const overrides: FlagOverride[] = [];
  for (const option of command.options) {
    const value = opts[option.attributeName()];
    if (value === undefined) continue;
    const spec = VALUE_FLAGS.find((f) => f.flag === option.long || f.flag.startsWith(option.long + ' '));
    if (spec) {
      const v = 'list' in spec ? (typeof value === 'string' ? value : '').split(':').filter(Boolean) : value;
      overrides.push({ flag: option.long!, path: spec.path, value: v });
      continue;
    }
    const m = /^--(?:no-)?collector\.(.+)$/.exec(option.long ?? '');
    if (m && collectorDefs.some((d) => d.name === m[1]) && !overrides.some((o) => o.path[1] === m[1])) {
      overrides.push({ flag: `--${value ? '' : 'no-'}collector.${m[1]}`, path: ['collectors', m[1]!, 'enabled'], value });
    }
  }
  if (opts['collector.disableDefaults']) {
    for (const def of collectorDefs) {
      if (overrides.some((o) => o.path[0] === 'collectors' && o.path[1] === def.name)) continue;
      overrides.push({ flag: '--collector.disable-defaults', path: ['collectors', def.name, 'enabled'], value: false, unlessSet: true });
    }
  }
  return overrides;
}

/** What the transport depends on: a reload that leaves it alone keeps the connection it has. */
export function transportSettings(config: Config): string {
  return JSON.stringify([config.target, config.path, config.commands]);
}

export function createSources(config: Config, log?: Logger): Sources {
  if (config.target.url) {
    return new SshSources({
      target: parseSshUrl(config.target.url),
      rootfs: config.path.rootfs,
      binPath: config.path.bin,
      commandTimeoutMs: config.commands.timeout_seconds * 1000,
      maxOutputBytes: config.commands.max_output_bytes,
      identityFile: config.target.identity_file,
      knownHostsFile: config.target.known_hosts_file,
      strictHostKeyChecking: config.target.strict_host_key_checking,
      connectTimeoutSeconds: config.target.connect_timeout_seconds,
      log: log ?? createLogger('silent'),
    });
  }
  return new LocalSources({
    rootfs: config.path.rootfs,
    binPath: config.path.bin,
    commandTimeoutMs: config.commands.timeout_seconds * 1000,
    maxOutputBytes: config.commands.max_output_bytes,
  });
}

async function loadOrExit(command: Command, collectorDefs: readonly CollectorDefinition[]): Promise<Config> {
  try {
    return await loadConfig({
      file: command.opts<{ 'config.file'?: string }>()['config.file'],
      flags: flagOverrides(command, collectorDefs),
      definitions: collectorDefs,
    });
  } catch (e) {
    process.stderr.write(`routerscope: invalid configuration\n${errorMessage(e)}\n`);
    process.exit(2);
  }
}

async function serve(command: Command, collectorDefs: readonly CollectorDefinition[]): Promise<void> {
  let config = await loadOrExit(command, collectorDefs);
  const log = createLogger(config.log.level);
  for (const line of config.deprecations) log.warn(line);
  if (config.empty) log.warn({ file: config.file }, 'the config file sets nothing (empty or only comments): every default applies');
  const exporter = new Exporter(config, collectorDefs, createSources(config, log), log);

  // One reload at a time: a burst of them must not build transports that overlap.
  let reloading: Promise<string | undefined> = Promise.resolve(undefined);
  const reload = (): Promise<string | undefined> => (reloading = reloading.then(reloadNow));
  const reloadNow = async (): Promise<string | undefined> => {
    try {
      const next = await loadConfig({ file: config.file, flags: flagOverrides(command, collectorDefs), definitions: collectorDefs });
      if (next.web.listen_address !== config.web.listen_address) {
        log.warn({ listen_address: next.web.listen_address }, 'a new listen address takes effect on restart');
      }
      const sameTransport = transportSettings(next) === transportSettings(config);
      await exporter.reload(next, sameTransport ? exporter.currentSources : createSources(next, log));
      log.level = next.log.level;
      for (const line of next.deprecations) log.warn(line);
      config = next;
      exporter.self.reloadSuccess.set(1);
      exporter.self.reloadTimestamp.set(Date.now() / 1000);
      log.info({ collectors: exporter.enabledCollectors }, 'config reloaded');
      return undefined;
    } catch (e) {
      exporter.self.reloadSuccess.set(0);
      const message = e instanceof ConfigError ? e.problems.join('; ') : errorMessage(e);
      log.error({ err: message }, 'config reload failed; keeping the old config');
      return message;
    }
  };

  const server = createMetricsServer({ exporter, log, reload });
  try {
    const address = await listen(server, config.web.listen_address);
    log.info({ address: `${address.address}:${address.port}`, collectors: exporter.enabledCollectors, version: VERSION }, 'listening');
  } catch (e) {
    log.fatal({ err: errorMessage(e), address: config.web.listen_address }, 'cannot listen');
    log.flush();
    process.exit(1);
  }
  exporter.start();
  const admin = await startAdmin(config, exporter, log);
  process.on('SIGHUP', () => void reload());
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    server.close();
    server.closeAllConnections();
    await admin?.close();
    await exporter.stop();
    log.flush();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/** The admin listener, when a token file is configured; an unreadable or empty token is fatal. */
async function startAdmin(config: Config, exporter: Exporter, log: Logger): Promise<AdminServer | undefined> {
  if (!config.admin.token_file) return undefined;
  let token: string;
  try {
    token = (await readFile(config.admin.token_file, 'utf8')).trim();
  } catch (e) {
    log.fatal({ err: errorMessage(e) }, 'cannot read admin.token_file');
    log.flush();
    process.exit(2);
  }
  if (token.length < 16) {
    log.fatal({ file: config.admin.token_file }, 'admin token must have at least 16 characters');
    log.flush();
    process.exit(2);
  }
  const admin = new AdminServer({
    sources: () => exporter.currentSources,
    log: log.child({ component: 'admin' }),
    token,
    allow: config.admin.allow,
    hostNames: config.admin.host_names,
    auditLog: config.admin.audit_log,
    confirmTimeoutSeconds: config.admin.confirm_timeout_seconds,
    maxBodyBytes: config.admin.max_body_bytes,
    configDir: path.join(config.path.rootfs, 'etc/config'),
    rootConfigDir: '/etc/config',
    status: () => exporter.status(),
    collectLive: () => exporter.scrape({ timeoutSeconds: 8, only: LIVE_COLLECTORS }),
  });
  await admin.recover();
  const address = await listen(admin.createServer(), config.admin.listen_address);
  log.info({ address: `${address.address}:${address.port}` }, 'admin listening');
  return admin;
}

async function once(command: Command, collectorDefs: readonly CollectorDefinition[]): Promise<void> {
  const config = await loadOrExit(command, collectorDefs);
  // stdout carries the exposition, so logs go to stderr.
  const log: Logger = createLogger(config.log.level, pino.destination({ dest: 2, sync: true }));
  for (const line of config.deprecations) log.warn(line);
  const exporter = new Exporter(config, collectorDefs, createSources(config), log);
  exporter.start();
  const families = await exporter.scrape({
    timeoutSeconds: config.web.scrape_timeout_seconds - config.web.timeout_offset_seconds,
  });
  await exporter.stop();
  process.stdout.write(render(families));
}

export function buildProgram(collectorDefs: readonly CollectorDefinition[] = definitions): Command {
  const program = new Command('routerscope')
    .description('Prometheus exporter, dashboards and reports for OpenWrt and OpenMPTCProuter routers')
    .version(VERSION);
  addCommonOptions(program.command('serve').description('serve /metrics (the exporter)'), collectorDefs).action((_opts, cmd: Command) =>
    serve(cmd, collectorDefs),
  );
  addCommonOptions(program.command('once').description('collect once, print the exposition on stdout, exit'), collectorDefs).action(
    (_opts, cmd: Command) => once(cmd, collectorDefs),
  );
  addCommonOptions(program.command('check-config').description('validate the configuration and exit'), collectorDefs).action(
    async (_opts, cmd: Command) => {
      const config = await loadOrExit(cmd, collectorDefs);
      const enabled = collectorDefs.filter((d) => config.collectors[d.name]?.enabled).map((d) => d.name);
      if (config.empty) process.stdout.write(`${config.file}: sets nothing (empty or only comments): every default applies\n`);
      process.stdout.write(`config OK${config.file ? ` (${config.file})` : ''}; collectors: ${enabled.join(', ')}\n`);
    },
  );
  return program;
}
