import type * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { CnnConfig } from '../model/cnn.js';
import { FUSED_FEATURES, fuseCnns } from '../model/ensemble.js';
import type { CheckpointStore } from './checkpoint.js';

/** How reports name what the SVM reads, e.g. "'block_last_pool' + 'embedding' features". */
export function describeFeatureLayers(featureLayers: readonly string[]): string {
  return `${featureLayers.map((layer) => `'${layer}'`).join(' + ')} features`;
}

/** The exported CNN and how the SVM reads it. */
export interface ShippedCnn {
  cnn: tf.LayersModel;
  /** Layer of `cnn` whose flattened output feeds the SVM. */
  featureLayer: string;
  /** Epochs of the CNNs it holds, ascending. */
  memberEpochs: number[];
  /** For logs and the report, e.g. "'block_last_pool' + 'embedding' features". */
  description: string;
}

export interface ShippedCnnOptions {
  store: CheckpointStore<unknown>;
  /** The best checkpoint's CNN; taken over (returned as is, or disposed once fused or replaced by `cnnEpoch`'s). */
  best: tf.LayersModel;
  bestEpoch: number;
  /** Exports this epoch's CNN, a cycle-end snapshot, in place of the best one (default: the best epoch). */
  cnnEpoch?: number;
  /** CNNs to fuse: that one plus the `ensemble - 1` latest other cycle-end snapshots. */
  ensemble: number;
  cnn: CnnConfig;
  /** Layers read from each CNN, side by side. */
  featureLayers: readonly string[];
}

/**
 * The best checkpoint (or `cnnEpoch`'s snapshot) alone, or fused (see `fuseCnns`) when the SVM reads several layers or
 * several CNNs: that one and the latest other cycle-end snapshots, before or after it (a
 * snapshot ensemble: each cycle restarts from a high learning rate, so their ends are different
 * finished models, for no extra training; later cycles give better ones).
 */
export async function shippedCnn({
  store,
  best,
  bestEpoch,
  cnnEpoch = bestEpoch,
  ensemble,
  cnn,
  featureLayers,
}: ShippedCnnOptions): Promise<ShippedCnn> {
  const features = describeFeatureLayers(featureLayers);
  const snapshots = await store.snapshotEpochs();
  if (cnnEpoch !== bestEpoch && !snapshots.includes(cnnEpoch)) {
    throw new Error(
      `--cnn-epoch ${cnnEpoch}: ${store.folder} keeps the CNNs of the best epoch (${bestEpoch}) and of the learning-rate cycle ends ` +
        `(${snapshots.length === 0 ? 'none yet' : `epoch ${snapshots.join(', ')}`}), not epoch ${cnnEpoch}'s`,
    );
  }
  const primary = cnnEpoch === bestEpoch ? best : await store.loadSnapshot(cnnEpoch);
  if (primary !== best) best.dispose();
  if (ensemble === 1 && featureLayers.length === 1) {
    return { cnn: primary, featureLayer: featureLayers[0] as string, memberEpochs: [cnnEpoch], description: features };
  }
  const available = snapshots.filter((epoch) => epoch !== cnnEpoch);
  const others = available.slice(available.length - (ensemble - 1));
  if (others.length < ensemble - 1) {
    throw new Error(
      `--ensemble ${ensemble} needs ${ensemble - 1} cycle-end snapshot(s) besides epoch ${cnnEpoch}; ` +
        `${join(store.folder, 'snapshots')} has ${available.length === 0 ? 'none' : `epoch ${available.join(', ')}`}`,
    );
  }
  const memberEpochs = [...others, cnnEpoch].sort((a, b) => a - b);
  const members = await Promise.all(memberEpochs.map((epoch) => (epoch === cnnEpoch ? Promise.resolve(primary) : store.loadSnapshot(epoch))));
  const fused = fuseCnns(members, cnn, featureLayers);
  members.forEach((member) => member.dispose());
  const description =
    members.length === 1 ? features : `${features} of the CNNs of epochs ${memberEpochs.join(', ')}, fused (CNN softmax head: their mean)`;
  return { cnn: fused, featureLayer: FUSED_FEATURES, memberEpochs, description };
}
