import { EXPRESSIONS, type Evaluation } from '@fer/core';

const percent = (x: number): string => `${(100 * x).toFixed(2)}%`;

/** A Markdown table; also readable as plain text in a terminal. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** One row per classifier: the comparison the method is about. */
export function comparisonTable(evaluations: Readonly<Record<string, Evaluation>>, names: Readonly<Record<string, string>>): string {
  return markdownTable(
    ['classifier', 'split', 'images', 'accuracy', 'macro-F1'],
    Object.entries(evaluations).map(([key, e]) => [names[key] ?? key, e.split, e.count, percent(e.accuracy), percent(e.macroF1)]),
  );
}

export function perClassTable(evaluation: Evaluation): string {
  return markdownTable(
    ['expression', 'precision', 'recall', 'F1', 'images'],
    evaluation.perClass.map((m) => [m.label, percent(m.precision), percent(m.recall), percent(m.f1), m.support]),
  );
}

/** Rows: true expression; columns: predicted. */
export function confusionTable(evaluation: Evaluation): string {
  return markdownTable(
    ['true \\ predicted', ...EXPRESSIONS],
    evaluation.confusion.map((row, t) => [EXPRESSIONS[t] ?? String(t), ...row]),
  );
}

const escapeXml = (text: string): string => text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The confusion matrix as a standalone SVG heat map, row-normalized so rare classes
 * (disgust) read as clearly as common ones. Written by hand: it is a grid of rects,
 * and a chart library would bring a headless renderer into the training CLI for it.
 */
export function confusionSvg(evaluation: Evaluation, title: string): string {
  const cell = 64;
  const left = 90;
  const top = 70;
  const size = EXPRESSIONS.length * cell;
  const parts: string[] = [];
  evaluation.confusion.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((count, p) => {
      const share = count / total;
      const x = left + p * cell;
      const y = top + t * cell;
      const light = Math.round(97 - share * 62);
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="hsl(215,70%,${light}%)" stroke="#fff"/>`,
        `<text x="${x + cell / 2}" y="${y + cell / 2 - 2}" fill="${share > 0.5 ? '#fff' : '#111'}" text-anchor="middle" font-size="13">${percent(share).replace('.00', '')}</text>`,
        `<text x="${x + cell / 2}" y="${y + cell / 2 + 14}" fill="${share > 0.5 ? '#e8eefc' : '#555'}" text-anchor="middle" font-size="10">${count}</text>`,
      );
    });
  });
  EXPRESSIONS.forEach((label, i) => {
    parts.push(
      `<text x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" font-size="12">${label}</text>`,
      `<text x="${left + i * cell + cell / 2}" y="${top - 8}" text-anchor="middle" font-size="12">${label}</text>`,
    );
  });
  const width = left + size + 20;
  const height = top + size + 40;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${left}" y="42" font-size="11" fill="#555">rows: true expression, columns: predicted; share of the row (count)</text>`,
    ...parts,
    `<text x="${left + size / 2}" y="${height - 12}" text-anchor="middle" font-size="11" fill="#555">accuracy ${percent(evaluation.accuracy)} on ${evaluation.count} ${escapeXml(evaluation.split)} images</text>`,
    '</svg>',
    '',
  ].join('\n');
}
