/**
 * The audience report in Chromium, on a phone-sized screen (390x844), from two sessions built here
 * with numbers worked out by hand (imported as JSON, so no analysis time is spent): the summary
 * cards and the per-segment table (ties shown as ties), marker labels that never overlap, no
 * sideways scrolling, the markers and per-second CSVs, the printed PDF's text (page.pdf, read back
 * with pdf.js), and a comparison of the two sessions aligned at a marker with B - A per segment.
 * Also: a session imported before the browser's session store has opened is saved once it opens.
 */
import { readFile } from 'node:fs/promises';
import { EXPRESSIONS, type Expression } from '@fer/core';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { toJson } from '../../src/lib/audience/exportFormats';
import type { FrameSample, Session } from '../../src/lib/audience/session';
import { Browsers, e2eSkipReason } from '../helpers/e2eApp';

const p = (values: Partial<Record<Expression, number>>) => EXPRESSIONS.map((e) => values[e] ?? 0);
const NEUTRAL = p({ neutral: 1 });

/**
 * Eight faces, 6 s at 5 frames/s, markers "Ad" at 2 s and "Logo" at 4 s. Before the ad everyone is
 * neutral and faces the camera; during it faces 1-`happyFaces` smile (happy 0.9) and the others
 * show `other`; after the logo everyone is neutral and faces 7 and 8 turn away (yaw 50°).
 */
function session(name: string, happyFaces: number, other: number[]): Session {
  const frames: FrameSample[] = [];
  for (let t = 0; t < 6000; t += 200) {
    frames.push({
      t,
      faces: Array.from({ length: 8 }, (_, i) => {
        const id = i + 1;
        const probs = t < 2000 || t >= 4000 ? NEUTRAL : id <= happyFaces ? p({ happy: 0.9, neutral: 0.1 }) : other;
        return { id, box: [20 + i * 150, 100, 120, 120] as [number, number, number, number], p: probs, yaw: t >= 4000 && id >= 7 ? 50 : 2 };
      }),
    });
  }
  return {
    meta: {
      id: name,
      name,
      source: 'camera',
      createdAt: Date.UTC(2026, 10, 30, 14, 5),
      width: 1280,
      height: 720,
      durationMs: 6000,
      frameCount: frames.length,
      markers: [
        { t: 2000, label: 'Ad' },
        { t: 4000, label: 'Logo' },
      ],
      state: 'stopped',
    },
    frames,
  };
}

/*
 * By hand. A, during the ad: 6 faces happy 0.9, 2 faces angry 0.5 = neutral 0.5 (a tie: half a
 * detection each). Valence (6 x 0.9 - 2 x 0.5) / 8 = 0.55; expressiveness (6 x 0.9 + 2 x 0.5) / 8
 * = 0.8; shares happy 6/8 = 75%, angry 1/8 = 13%, neutral 13%. After the logo: attention 6/8 = 75%.
 * Whole session: valence 0.55 / 3 = +0.18; attention (1 + 1 + 0.75) / 3 = 92%.
 * B, during the ad: 4 happy 0.9, 4 sad 0.6 / neutral 0.4. Valence (3.6 - 2.4) / 8 = +0.15 (B - A
 * = -0.40); shares happy 50% = sad 50%, a tie.
 */
const A = session('Audience A', 6, p({ angry: 0.5, neutral: 0.5 }));
const B = session('Audience B', 4, p({ sad: 0.6, neutral: 0.4 }));

async function importSession(page: Page, s: Session): Promise<void> {
  await page.getByTestId('import-file').setInputFiles({ name: `${s.meta.name}.json`, mimeType: 'application/json', buffer: Buffer.from(toJson(s)) });
  await page.locator('[data-state="import-done"]').waitFor();
}

async function download(page: Page, button: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: true }).click()]);
  return readFile(await file.path(), 'utf8');
}

/** The text of every page of a PDF, pages joined by newlines (pdf.js, no rendering). */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: bytes, useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : '')).join(''));
  }
  await doc.destroy();
  return pages.join('\n');
}

describe.skipIf(e2eSkipReason !== undefined)('audience report in Chromium', () => {
  const origin = inject('appOrigin');
  const browsers = new Browsers();
  afterAll(() => browsers.closeAll());

  it('shows, exports, prints and compares sessions with the numbers worked out by hand, on a phone', async () => {
    const context = await browsers.launch();
    const { page, foreign, violations } = await browsers.open(context, origin, '/audience?backend=wasm');
    await page.setViewportSize({ width: 390, height: 844 });
    await importSession(page, A);

    // Summary cards.
    const card = (id: string) => page.getByTestId(id).innerText();
    expect(await card('summary-frames')).toBe('30');
    expect(await card('summary-faces')).toBe('8');
    expect(await card('card-valence')).toBe('+0.18');
    expect(await card('card-attention')).toBe('92%');
    expect(await card('card-best-valence')).toBe('Ad');
    expect(await card('card-most-expressive')).toBe('Ad');
    expect(await card('card-peak')).toBe('2.0–4.0 s');

    // The segment table: every share, valence, attention, the tie within a face counted half each.
    const rows = await page
      .getByTestId('segment-row')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c as HTMLElement).innerText.trim())));
    expect(rows.map((r) => r.slice(0, 15))).toEqual([
      ['Start', '0.0 s', '2.0 s', '8', '0%', '0%', '0%', '0%', '100%', '0%', '0%', 'neutral', '0.00', '100%', '0%'],
      ['Ad', '2.0 s', '2.0 s', '8', '13%', '0%', '0%', '75%', '13%', '0%', '0%', 'happy', '+0.55', '100%', '80%'],
      ['Logo', '4.0 s', '2.0 s', '8', '0%', '0%', '0%', '0%', '100%', '0%', '0%', 'neutral', '0.00', '75%', '0%'],
    ]);
    expect(rows[1]?.[15]).toContain('Most positive: +0.55 at 2.0–4.0 s');

    // Charts: stacked shares, valence, attention, one small chart per face; marker labels never overlap.
    for (const id of ['shares-chart', 'valence-chart', 'attention-chart']) expect(await page.getByTestId(id).count()).toBe(1);
    expect(await page.getByTestId('face-chart').count()).toBe(8);
    const overlapping = await page.evaluate(
      () =>
        [...document.querySelectorAll('svg')].flatMap((svg) => {
          const boxes = [...svg.querySelectorAll('.marker-label')].map((t) => t.getBoundingClientRect());
          return boxes.flatMap((a, i) =>
            boxes.slice(i + 1).filter((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom),
          );
        }).length,
    );
    expect(overlapping).toBe(0);
    // Usable on a phone: nothing wider than the screen but the table's own scroller.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // Exports: markers and per-second CSVs.
    expect(await download(page, 'Export markers CSV')).toBe(
      'segment,label,start_s,end_s,duration_s\n0,Start,0.000,2.000,2.000\n1,Ad,2.000,4.000,2.000\n2,Logo,4.000,6.000,2.000\n',
    );
    const perSecond = (await download(page, 'Export per-second CSV')).trimEnd().split('\n');
    expect(perSecond).toHaveLength(1 + 6);
    expect(perSecond[3]).toBe('2.000,3.000,1,Ad,5,8,8,0.55,0.8,1,0.125,0,0,0.75,0.125,0,0');
    expect(perSecond[5]?.split(',').slice(0, 10)).toEqual(['4.000', '5.000', '2', 'Logo', '5', '8', '8', '0', '0', '0.75']);
    const frames = (await download(page, 'Export CSV')).split('\n');
    expect(frames[0]).toMatch(/,segment_index,segment,valence,expressiveness,yaw_deg,attentive$/);

    // Printed: the report's cards, table and definitions, no buttons.
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    const text = (await pdfText(new Uint8Array(pdf))).replace(/\s+/g, ' ');
    for (const expected of [
      'Audience A',
      'Valence +0.18',
      'Attention 92%',
      'Best received Ad',
      'Segments between markers',
      '+0.55',
      'Expression shares',
      'Face 8',
      'How these numbers are computed',
    ]) {
      expect(text, expected).toContain(expected);
    }
    expect(text).not.toContain('Export CSV');

    // Compare A and B, aligned at "Ad": B - A per segment, and B's tie during the ad.
    await importSession(page, B);
    const compare = page.getByTestId('compare');
    await compare.getByLabel('Audience A').check();
    await compare.getByLabel('Audience B').check();
    await compare.getByRole('button', { name: 'Compare' }).click();
    await page.getByTestId('compare-align').selectOption('Ad');
    const compared = await page
      .getByTestId('compare-row')
      .evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
    expect(compared).toEqual([
      'Start A 2.0 s 8 neutral 0.00 100% 0%',
      'B 2.0 s 8 neutral 0.00 ±0.00 100% ±0 pts 0% ±0 pts',
      'Ad A 2.0 s 8 happy +0.55 100% 80%',
      'B 2.0 s 8 happy = sad +0.15 −0.40 100% ±0 pts 75% −5 pts',
      'Logo A 2.0 s 8 neutral 0.00 75% 0%',
      'B 2.0 s 8 neutral 0.00 ±0.00 75% ±0 pts 0% ±0 pts',
    ]);
    expect(await page.getByTestId('compare-valence').count()).toBe(1);
    expect(foreign).toEqual([]);
    expect(violations).toEqual([]);
  }, 120_000);

  it('keeps a session imported while the session store is still opening', async () => {
    const context = await browsers.launch();
    // IndexedDB opens in milliseconds here; a busy phone can take longer than someone picking a file.
    await context.addInitScript(() => {
      const open = indexedDB.open.bind(indexedDB);
      IDBFactory.prototype.open = (...args: Parameters<IDBFactory['open']>) => {
        const request = open(...args);
        const listen = request.addEventListener.bind(request);
        request.addEventListener = ((type: string, listener: EventListener, options?: AddEventListenerOptions) =>
          listen(
            type,
            type === 'success' ? (event: Event) => setTimeout(() => listener(event), 2000) : listener,
            options,
          )) as typeof request.addEventListener;
        return request;
      };
    });
    const { page } = await browsers.open(context, origin, '/audience?backend=wasm');
    await importSession(page, A);
    expect(await page.locator('[data-state="storage-problem"]').count()).toBe(0);
    await page.reload();
    await page.getByRole('button', { name: 'Open Audience A' }).waitFor();
  }, 60_000);
});
