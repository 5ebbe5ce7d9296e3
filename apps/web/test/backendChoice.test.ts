import { describe, expect, it } from 'vitest';
import {
  backendLabel,
  backendReason,
  fastest,
  isSoftwareRenderer,
  sameDevice,
  wasmThreads,
  type BackendReport,
  type DeviceProfile,
} from '../src/lib/runtime/backendChoice';

const device: DeviceProfile = {
  userAgent: 'Chrome/140',
  renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)))',
  cores: 2,
  isolated: true,
};

describe('backend choice', () => {
  it('recognises software WebGL renderers and not hardware ones', () => {
    expect(isSoftwareRenderer(device.renderer)).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('Microsoft Basic Render Driver')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)')).toBe(false);
    expect(isSoftwareRenderer('Apple M2')).toBe(false);
    expect(isSoftwareRenderer(undefined)).toBe(false);
  });

  it('picks the fastest measured backend', () => {
    expect(fastest({ webgl: 12, wasm: 30 })).toBe('webgl');
    expect(fastest({ webgpu: 40, webgl: 12, wasm: 9 })).toBe('wasm');
    expect(fastest({})).toBeUndefined();
  });

  it('keeps a remembered choice only for the same device, threads included', () => {
    expect(sameDevice(device, { ...device })).toBe(true);
    expect(sameDevice(device, { ...device, isolated: false })).toBe(false);
    expect(sameDevice(device, { ...device, renderer: 'Apple M2' })).toBe(false);
    expect(sameDevice(device, { ...device, userAgent: 'Chrome/141' })).toBe(false);
  });

  it('says where the model runs and why', () => {
    const report: BackendReport = {
      name: 'wasm',
      how: 'measured',
      timings: { wasm: 21.4 },
      skipped: { webgpu: 'no GPU adapter', webgl: `a software renderer (${device.renderer}), not a GPU` },
      device,
      threads: 2,
      saliencyThreads: 1,
      simd: true,
      threaded: true,
    };
    expect(backendLabel(report)).toBe('the CPU (WebAssembly, SIMD, 2 threads + 1 for saliency maps)');
    expect(backendReason(report)).toBe(
      `Fastest measured per face: the CPU (WebAssembly) 21 ms. Not used: the GPU (WebGPU): no GPU adapter; the GPU (WebGL): a software renderer (${device.renderer}), not a GPU.`,
    );
    expect(backendReason({ ...report, how: 'remembered' })).toMatch(/Measured on an earlier visit on this device\.$/);
    expect(backendReason({ ...report, how: 'url' })).toBe('Chosen by the ?backend= address parameter.');
    expect(backendLabel({ ...report, saliencyThreads: 0 })).toBe('the CPU (WebAssembly, SIMD, 2 threads)');
    expect(backendLabel({ name: 'webgl', threads: 1, saliencyThreads: 1, simd: false })).toBe('the GPU (WebGL)');
  });

  it('gives saliency maps one core and frames the others, up to 4, so that they never compete; frames alone get every core', () => {
    expect([1, 2, 3, 4, 8, 16].map((cores) => wasmThreads(cores, 'analysis'))).toEqual([1, 1, 2, 3, 4, 4]);
    expect([1, 2, 8].map((cores) => wasmThreads(cores, 'saliency'))).toEqual([1, 1, 1]);
    expect([1, 2, 3, 8].map((cores) => wasmThreads(cores, 'analysis', false))).toEqual([1, 2, 3, 4]);
  });
});
