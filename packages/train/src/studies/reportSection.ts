import { readFile, rename, writeFile } from 'node:fs/promises';

const begin = (name: string) => `<!-- study:${name} -->`;
const end = (name: string) => `<!-- /study:${name} -->`;

/**
 * Puts a study's Markdown into REPORT.md between its own markers, replacing an earlier run of
 * the same study and leaving the rest of the report as `pnpm train` wrote it. Written through
 * a temp file and a rename, so the report is never half-written.
 */
export async function updateReportSection(reportPath: string, name: string, markdown: string): Promise<void> {
  const report = await readFile(reportPath, 'utf8');
  const section = `${begin(name)}\n${markdown.trim()}\n${end(name)}`;
  const start = report.indexOf(begin(name));
  const stop = report.indexOf(end(name));
  const updated = start >= 0 && stop > start
    ? `${report.slice(0, start)}${section}${report.slice(stop + end(name).length)}`
    : `${report.trimEnd()}\n\n${section}\n`;
  const temp = `${reportPath}.tmp-${process.pid}`;
  await writeFile(temp, updated);
  await rename(temp, reportPath);
}
