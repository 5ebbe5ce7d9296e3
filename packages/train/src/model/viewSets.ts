import type { TestTimeView } from '@fer/core';

/** Transformed copies of each face scored besides it (test-time augmentation); see the manifest's `cnn.testTimeViews`. */
export interface ViewSet {
  title: string;
  views: readonly TestTimeView[];
}

const view = (change: Partial<TestTimeView>): TestTimeView => ({ dx: 0, dy: 0, degrees: 0, zoom: 1, ...change });
const SHIFTS_2PX = [view({ dx: 2 }), view({ dx: -2 }), view({ dy: 2 }), view({ dy: -2 })];
const DIAGONAL_SHIFTS_2PX = [view({ dx: 2, dy: 2 }), view({ dx: -2, dy: -2 }), view({ dx: 2, dy: -2 }), view({ dx: -2, dy: 2 })];
const ZOOMS_AND_TURNS = [view({ zoom: 0.92 }), view({ zoom: 1.08 }), view({ degrees: -6 }), view({ degrees: 6 })];

/** Small versions of the training augmentation (shifts up to 4 px, turns up to 10 degrees, zoom up to 10%), compared by `pnpm study views`. */
export const VIEW_SETS = {
  none: { title: 'the face', views: [] },
  shifts: { title: '+ 4 shifts of 2 px', views: SHIFTS_2PX },
  'zoom-turn': { title: '+ zoom 92%/108%, turns of ±6°', views: ZOOMS_AND_TURNS },
  'shifts-8': { title: '+ 8 shifts of 2 px', views: [...SHIFTS_2PX, ...DIAGONAL_SHIFTS_2PX] },
  all: { title: 'all of the above', views: [...SHIFTS_2PX, ...DIAGONAL_SHIFTS_2PX, ...ZOOMS_AND_TURNS] },
} satisfies Record<string, ViewSet>;

export type ViewSetName = keyof typeof VIEW_SETS;
