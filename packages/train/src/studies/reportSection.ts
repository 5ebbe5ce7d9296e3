import { readFile, rename, writeFile } from 'node:fs/promises';

/** Where `pnpm study` writes each study's numbers, inside the models folder. */
export const STUDIES_FOLDER = 'studies';

const begin = (name: string) => `<!-- study:${name} -->`;
const end = (name: string) => `<!-- /study:${name} -->`;
const SECTION = /<!-- study:([\w-]+) -->\n([\s\S]*?)\n<!-- \/study:\1 -->/g;

/** The study sections of a report, with their Markdown (markers removed), in order. */
export function studySections(report: string): { name: string; markdown: string }[] {
  return [...report.matchAll(SECTION)].map((match) => ({ name: match[1] as string, markdown: match[2] as string }));
}

/** A study section wrapped in its markers, ready to append to a report. */
export function studySection(name: string, markdown: string): string {
  return `${begin(name)}\n${markdown.trim()}\n${end(name)}`;
}

/**
 * Puts a study's Markdown into REPORT.md between its own markers, replacing an earlier run of
 * the same study and leaving the rest of the report as `pnpm train` wrote it. Written through
 * a temp file and a rename, so the report is never half-written.
 */
export async function updateReportSection(reportPath: string, name: string, markdown: string): Promise<void> {
  const report = await readFile(reportPath, 'utf8');
  const section = studySection(name, markdown);
  const start = report.indexOf(begin(name));
  const stop = report.indexOf(end(name));
  const updated =
    start >= 0 && stop > start
      ? `${report.slice(0, start)}${section}${report.slice(stop + end(name).length)}`
      : `${report.trimEnd()}\n\n${section}\n`;
  const temp = `${reportPath}.tmp-${process.pid}`;
  await writeFile(temp, updated);
  await rename(temp, reportPath);
}

/** First line of a study section carried over from an earlier model's report. */
const CARRIED = '> Ran on an earlier model than the one this report describes';

/**
 * The study sections of the previous report, for a new model's report: each flagged as run on
 * the earlier model (its models/studies/<name>.json names that model's file hashes), so the
 * method's findings stay visible until `pnpm study <name>` reruns them on the new model.
 */
export function carriedStudySections(previousReport: string): string[] {
  return studySections(previousReport).map(({ name, markdown }) => {
    const body = markdown.startsWith(CARRIED) ? markdown.slice(markdown.indexOf('\n\n') + 2) : markdown;
    return studySection(name, `${CARRIED} (see studies/${name}.json); \`pnpm study ${name}\` reruns it on this one.\n\n${body}`);
  });
}
