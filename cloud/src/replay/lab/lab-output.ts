/**
 * A lab result written to a directory: result.json (deterministic), report.md, summary.csv, alarms-by-code.csv and
 * the two PNG figures.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabResult } from '@vigil/contracts';
import { labByCodeCsv, labSummaryCsv } from './lab-csv.ts';
import { labMarkdown, type MarkdownOptions } from './lab-markdown.ts';

export interface WrittenLab {
  dir: string;
  files: string[];
}

export async function writeLabOutput(result: LabResult, dir: string, options: MarkdownOptions & { plots?: boolean } = {}): Promise<WrittenLab> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  const put = async (name: string, text: string) => {
    await writeFile(join(dir, name), text);
    files.push(name);
  };
  await put('result.json', `${JSON.stringify(result, null, 2)}\n`);
  await put('summary.csv', labSummaryCsv(result));
  await put('alarms-by-code.csv', labByCodeCsv(result));
  let figures: Array<{ file: string; caption: string }> = [];
  if (options.plots ?? true) {
    // vega and resvg load only when figures are wanted.
    const { writeLabPlots } = await import('./lab-plots.ts');
    figures = await writeLabPlots(result, dir);
    files.push(...figures.map((f) => f.file));
  }
  await put('report.md', `${labMarkdown(result, { ...options, figures })}\n`);
  return { dir, files };
}
