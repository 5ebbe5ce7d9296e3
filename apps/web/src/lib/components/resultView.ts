import type { AppRuntime } from '$lib/analysis/analysisClient';

/** What the page hands both result views (CameraView, PhotoView). */
export interface ResultViewProps {
  runtime: AppRuntime;
  /** Draw saliency maps and show "what the model sees". */
  showSaliency: boolean;
  /** Show the timing HUD. */
  showHud: boolean;
}
