import type { Expression } from '@fer/core';

/** One colour per expression (Okabe-Ito, readable by most colour-blind people), shared by boxes and bars. */
export const EXPRESSION_COLORS: Record<Expression, string> = {
  angry: '#e4572e',
  disgust: '#2bb673',
  fear: '#cc79a7',
  happy: '#f0e442',
  neutral: '#c7c7c7',
  sad: '#56b4e9',
  surprise: '#e69f00',
};
