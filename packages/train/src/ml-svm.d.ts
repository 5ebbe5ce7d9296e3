// ml-svm ships no types; only what this package uses.
declare module 'ml-svm' {
  interface SvmOptions {
    C?: number;
    tol?: number;
    maxPasses?: number;
    maxIterations?: number;
    kernel?: 'linear' | 'rbf';
    /** For 'rbf': k(x, y) = exp(-|x - y|^2 / (2 sigma^2)). */
    kernelOptions?: { sigma: number };
    alphaTol?: number;
    random?: () => number;
    /** Standardizes features itself (default true). */
    whitening?: boolean;
  }
  export default class SVM {
    constructor(options?: SvmOptions);
    /** Binary: labels are +1 / -1. */
    train(features: number[][], labels: number[]): void;
    predict(features: number[][]): number[];
    margin(features: number[][]): number[];
  }
}
