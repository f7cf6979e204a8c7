/**
 * Lab configurations: JSON files validated by the LabConfig schema (contracts/src/lab.ts), and what a configuration
 * means for the cloud's own code: the limit rules the LimitRuleEngine runs (base rules, replacements, codes switched
 * off, condition delays) and the NEWS2 triggers.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DEFAULT_LIMIT_RULES, LabConfig, mergeLimitRules, PmError, type LabConfigInput, type LimitRule } from '@vigil/contracts';
import type { z } from 'zod';

function issues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

/** Validate a configuration (defaults filled in); PM_ERR_LAB_CONFIG names `where` and the first bad field. */
export function parseLabConfig(value: unknown, where = 'configuration'): LabConfig {
  const parsed = LabConfig.safeParse(value);
  if (!parsed.success) {
    const details = issues(parsed.error);
    throw new PmError('PM_ERR_LAB_CONFIG', `${where}: ${details[0] ? `${details[0].path}: ${details[0].message}` : 'invalid'}`, details);
  }
  const config = parsed.data;
  const codes = new Set(limitRulesOf(config).map((r) => r.code));
  for (const code of Object.keys(config.limits.delayByCode)) {
    // A delay for a rule that does not run is a typo, not a setting.
    if (!codes.has(code)) throw new PmError('PM_ERR_LAB_CONFIG', `${where}: limits.delayByCode.${code}: no limit rule ${code} runs in this configuration`);
  }
  return config;
}

/** Read and validate one configuration file. */
export async function loadLabConfig(path: string): Promise<LabConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new PmError('PM_ERR_LAB_CONFIG', `${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PmError('PM_ERR_LAB_CONFIG', `${path}: invalid JSON (${(err as Error).message.slice(0, 120)})`);
  }
  return parseLabConfig(value, basename(path));
}

/** Every `*.json` configuration of a directory, sorted by name; names must be unique. */
export async function loadLabConfigDir(dir: string): Promise<LabConfig[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const configs = await Promise.all(files.map((f) => loadLabConfig(join(dir, f))));
  assertUniqueNames(configs);
  return configs;
}

export function assertUniqueNames(configs: readonly LabConfig[]): void {
  const seen = new Set<string>();
  for (const c of configs) {
    if (seen.has(c.name)) throw new PmError('PM_ERR_LAB_CONFIG', `two configurations are named ${c.name}`);
    seen.add(c.name);
  }
}

/** The limit rules a configuration runs: base, replacements and additions by code, minus disabled codes, delays set. */
export function limitRulesOf(config: LabConfig): LimitRule[] {
  const { limits } = config;
  const base = limits.base === 'default' ? DEFAULT_LIMIT_RULES : [];
  const disabled = new Set(limits.disable);
  return mergeLimitRules(base, limits.rules)
    .filter((r) => !disabled.has(r.code))
    .map((r) => ({ ...r, delayMs: limits.delayByCode[r.code] ?? limits.delayMs ?? r.delayMs }));
}

/** A configuration written by hand or by the dashboard, with its defaults filled in. */
export function labConfig(input: LabConfigInput): LabConfig {
  return parseLabConfig(input);
}
