// ml-svm ships no types; only what the comparison test uses.
declare module 'ml-svm' {
  interface SvmOptions {
    C?: number;
    tol?: number;
    maxPasses?: number;
    maxIterations?: number;
    kernel?: 'linear';
    alphaTol?: number;
    random?: () => number;
    whitening?: boolean;
  }
  export default class SVM {
    constructor(options?: SvmOptions);
    train(features: number[][], labels: number[]): void;
    predict(features: number[][]): number[];
    margin(features: number[][]): number[];
  }
}
