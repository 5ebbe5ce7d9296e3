/**
 * Test setup (vitest setupFiles, core and train): tfjs's console warnings off. Each test file runs
 * in its own worker, and the pure-JS 'cpu' backend greets every one of them with "Hi, looks like
 * you are running TensorFlow.js in Node.js" on first use. In tfjs 4.22 the PROD flag does nothing
 * but silence those warnings (tfjs-core, -layers and -converter only read it around console.warn).
 */
import * as tf from '@tensorflow/tfjs';

tf.env().set('PROD', true);
