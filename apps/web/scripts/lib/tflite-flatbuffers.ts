/**
 * Hand-written, minimal accessors for the two FlatBuffers schemas the detector build needs:
 * TFLite's `schema.fbs` (file identifier "TFL3") and TFLite Support's `metadata_schema.fbs`
 * (file identifier "M001"). There is no `flatc` here, so only the tables and fields this build
 * reads or writes are described; field ids are the declaration order in those schemas (a table's
 * vtable slot for field id n is 4 + 2n). Everything else in a model is carried over as opaque bytes.
 *
 * Adding metadata to a model: FlatBuffers references are relative, unsigned and point forward, so a
 * new root table written *before* an untouched copy of the original file can reference every
 * object in it. {@link addModelMetadata} writes: new root `Model` -> new `buffers`/`metadata`
 * vectors -> the metadata bytes -> the original file verbatim (16-byte aligned, so every object in
 * it keeps its alignment). The original's own header becomes a few dead bytes.
 */
import { Builder, ByteBuffer } from 'flatbuffers';

/** Field ids of tflite `table Model` (schema.fbs). */
export const ModelField = {
  version: 0,
  operatorCodes: 1,
  subgraphs: 2,
  description: 3,
  buffers: 4,
  metadataBuffer: 5,
  metadata: 6,
  signatureDefs: 7,
} as const;
const MODEL_FIELD_COUNT = 8;

/** tflite `table SubGraph`: tensors, inputs, outputs, operators, name. */
const SubGraphField = { tensors: 0, inputs: 1, outputs: 2, name: 4 } as const;
/** tflite `table Tensor`: shape, type, buffer, name. */
const TensorField = { shape: 0, type: 1, name: 3 } as const;
/** tflite `table Buffer`: data:[ubyte] (force_align 16), offset:ulong, size:ulong (>2 GB models). */
const BufferField = { data: 0, offset: 1, size: 2 } as const;
/** tflite `table Metadata`: name:string, buffer:uint (index into Model.buffers). */
const MetadataField = { name: 0, buffer: 1 } as const;

/** tflite `enum TensorType` values this build names. */
export const TensorType = { FLOAT32: 0 } as const;

/** metadata_schema.fbs field ids. */
const ModelMetadataField = {
  name: 0,
  description: 1,
  version: 2,
  subgraphMetadata: 3,
  author: 4,
  license: 5,
  associatedFiles: 6,
  minParserVersion: 7,
} as const;
const SubGraphMetadataField = { name: 0, description: 1, inputTensorMetadata: 2, outputTensorMetadata: 3 } as const;
const TensorMetadataField = { name: 0, description: 1, dimensionNames: 2, content: 3, processUnits: 4, stats: 5 } as const;
/** `content_properties` is a union: its type byte takes id 0, its value id 1. */
const ContentField = { propertiesType: 0, properties: 1, range: 2 } as const;
const ImagePropertiesField = { colorSpace: 0, defaultSize: 1 } as const;
/** `options` is a union: type id 0, value id 1. */
const ProcessUnitField = { optionsType: 0, options: 1 } as const;
const NormalizationOptionsField = { mean: 0, std: 1 } as const;

/** union ContentProperties { FeatureProperties = 1, ImageProperties = 2, BoundingBoxProperties = 3 }. */
export const ContentPropertiesType = { FeatureProperties: 1, ImageProperties: 2 } as const;
/** union ProcessUnitOptions { NormalizationOptions = 1, ... }. */
export const ProcessUnitOptionsType = { NormalizationOptions: 1 } as const;
/** enum ColorSpaceType : byte { UNKNOWN = 0, RGB = 1, GRAYSCALE = 2 }. */
export const ColorSpaceType = { UNKNOWN: 0, RGB: 1, GRAYSCALE: 2 } as const;

export const TFLITE_FILE_IDENTIFIER = 'TFL3';
export const METADATA_FILE_IDENTIFIER = 'M001';
/** Name of the `Model.metadata` entry that TFLite Support / MediaPipe Tasks look up. */
export const TFLITE_METADATA_NAME = 'TFLITE_METADATA';

const slot = (id: number): number => 4 + 2 * id;

/** A read-only view of one table: absolute position plus the buffer. */
export class Table {
  constructor(
    readonly bb: ByteBuffer,
    readonly pos: number,
  ) {}

  /** Vtable-relative offset of a field, 0 when absent. */
  private field(id: number): number {
    return this.bb.__offset(this.pos, slot(id));
  }
  has(id: number): boolean {
    return this.field(id) !== 0;
  }
  /** Highest field id the writer's vtable has room for, to notice schema fields we don't know. */
  vtableFieldCount(): number {
    const vtable = this.pos - this.bb.readInt32(this.pos);
    return (this.bb.readUint16(vtable) - 4) / 2;
  }
  int8(id: number, dflt = 0): number {
    const o = this.field(id);
    return o ? this.bb.readInt8(this.pos + o) : dflt;
  }
  uint8(id: number, dflt = 0): number {
    const o = this.field(id);
    return o ? this.bb.readUint8(this.pos + o) : dflt;
  }
  uint32(id: number, dflt = 0): number {
    const o = this.field(id);
    return o ? this.bb.readUint32(this.pos + o) : dflt;
  }
  uint64(id: number): bigint {
    const o = this.field(id);
    return o ? this.bb.readUint64(this.pos + o) : 0n;
  }
  string(id: number): string | null {
    const o = this.field(id);
    return o ? (this.bb.__string(this.pos + o) as string) : null;
  }
  /** Absolute position of the object a reference field points at. */
  ref(id: number): number | null {
    const o = this.field(id);
    return o ? this.bb.__indirect(this.pos + o) : null;
  }
  table(id: number): Table | null {
    const p = this.ref(id);
    return p === null ? null : new Table(this.bb, p);
  }
  tables(id: number): Table[] {
    const o = this.field(id);
    if (!o) return [];
    const start = this.bb.__vector(this.pos + o);
    const n = this.bb.__vector_len(this.pos + o);
    return Array.from({ length: n }, (_, i) => new Table(this.bb, this.bb.__indirect(start + 4 * i)));
  }
  int32s(id: number): number[] {
    const o = this.field(id);
    if (!o) return [];
    const start = this.bb.__vector(this.pos + o);
    return Array.from({ length: this.bb.__vector_len(this.pos + o) }, (_, i) => this.bb.readInt32(start + 4 * i));
  }
  float32s(id: number): number[] {
    const o = this.field(id);
    if (!o) return [];
    const start = this.bb.__vector(this.pos + o);
    return Array.from({ length: this.bb.__vector_len(this.pos + o) }, (_, i) => this.bb.readFloat32(start + 4 * i));
  }
  bytes(id: number): Uint8Array | null {
    const o = this.field(id);
    if (!o) return null;
    const start = this.bb.__vector(this.pos + o);
    return this.bb.bytes().subarray(start, start + this.bb.__vector_len(this.pos + o));
  }
}

function rootTable(bytes: Uint8Array, identifier: string): Table {
  const bb = new ByteBuffer(bytes);
  if (bytes.length < 8 || !bb.__has_identifier(identifier)) {
    throw new Error(`not a FlatBuffer with file identifier "${identifier}"`);
  }
  return new Table(bb, bb.readInt32(0));
}

export interface TensorInfo {
  name: string;
  type: number;
  shape: number[];
}

export interface ModelInfo {
  version: number;
  bufferCount: number;
  metadata: { name: string; buffer: number }[];
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

/** Reads what this build needs to know about a .tflite model (main subgraph only). */
export function readModel(model: Uint8Array): ModelInfo {
  const root = rootTable(model, TFLITE_FILE_IDENTIFIER);
  const subgraph = root.tables(ModelField.subgraphs)[0];
  if (!subgraph) throw new Error('model has no subgraph');
  const tensors = subgraph.tables(SubGraphField.tensors);
  const tensor = (i: number): TensorInfo => {
    const t = tensors[i];
    if (!t) throw new Error(`tensor index ${i} out of range`);
    return { name: t.string(TensorField.name) ?? '', type: t.int8(TensorField.type), shape: t.int32s(TensorField.shape) };
  };
  return {
    version: root.uint32(ModelField.version),
    bufferCount: root.tables(ModelField.buffers).length,
    metadata: root.tables(ModelField.metadata).map((m) => ({
      name: m.string(MetadataField.name) ?? '',
      buffer: m.uint32(MetadataField.buffer),
    })),
    inputs: subgraph.int32s(SubGraphField.inputs).map(tensor),
    outputs: subgraph.int32s(SubGraphField.outputs).map(tensor),
  };
}

/** Where each `Model.buffers` entry's data lies in the file (length 0 for empty buffers). */
export function readBufferRanges(model: Uint8Array): { offset: number; length: number }[] {
  const root = rootTable(model, TFLITE_FILE_IDENTIFIER);
  return root.tables(ModelField.buffers).map((buffer) => {
    const data = buffer.bytes(BufferField.data);
    return { offset: data ? data.byteOffset - model.byteOffset : 0, length: data?.length ?? 0 };
  });
}

/** The bytes of the buffer a named `Model.metadata` entry points at, or null. */
export function readModelMetadataBuffer(model: Uint8Array, name = TFLITE_METADATA_NAME): Uint8Array | null {
  const root = rootTable(model, TFLITE_FILE_IDENTIFIER);
  const entry = root.tables(ModelField.metadata).find((m) => m.string(MetadataField.name) === name);
  if (!entry) return null;
  const buffer = root.tables(ModelField.buffers)[entry.uint32(MetadataField.buffer)];
  if (!buffer) throw new Error(`metadata "${name}" points at a missing buffer`);
  return buffer.bytes(BufferField.data) ?? new Uint8Array(0);
}

/**
 * Returns a new model whose `metadata` list gains `name` -> a new buffer holding `metadata`.
 * Everything else is referenced in place from a verbatim copy of `model`. Throws, rather than
 * guessing, on anything this minimal schema cannot carry over: an unknown Model field, buffers
 * stored outside the FlatBuffer (offset/size), or an existing entry of that name.
 */
export function addModelMetadata(model: Uint8Array, metadata: Uint8Array, name = TFLITE_METADATA_NAME): Uint8Array {
  const root = rootTable(model, TFLITE_FILE_IDENTIFIER);
  for (let id = MODEL_FIELD_COUNT; id < root.vtableFieldCount(); id++) {
    if (root.has(id)) throw new Error(`model uses Model field id ${id}, unknown to this schema`);
  }
  const buffers = root.tables(ModelField.buffers);
  if (buffers.some((b) => b.uint64(BufferField.offset) > 1n || b.uint64(BufferField.size) > 0n)) {
    throw new Error('model stores buffers outside the FlatBuffer; not supported');
  }
  const entries = root.tables(ModelField.metadata);
  if (entries.some((m) => m.string(MetadataField.name) === name)) {
    throw new Error(`model already has a "${name}" metadata entry`);
  }

  const b = new Builder(model.length + metadata.length + 1024);
  // Builder offsets count bytes from the end of the finished buffer; writing happens back to front.
  const blobVector = writeAlignedBytes(b, model);
  const blobStart = blobVector - 4; // first byte after the vector's length prefix
  const inBlob = (absolutePos: number): number => blobStart - absolutePos;

  const metadataData = writeAlignedBytes(b, metadata);
  b.startObject(3);
  b.addFieldOffset(BufferField.data, metadataData, 0);
  const metadataBuffer = b.endObject();

  const nameOffset = b.createString(name);
  b.startObject(2);
  b.addFieldOffset(MetadataField.name, nameOffset, 0);
  b.addFieldInt32(MetadataField.buffer, buffers.length, 0);
  const metadataEntry = b.endObject();

  const buffersVector = offsetVector(b, [...buffers.map((t) => inBlob(t.pos)), metadataBuffer]);
  const metadataVector = offsetVector(b, [...entries.map((t) => inBlob(t.pos)), metadataEntry]);

  b.startObject(MODEL_FIELD_COUNT);
  b.addFieldInt32(ModelField.version, root.uint32(ModelField.version), 0);
  for (const id of [ModelField.operatorCodes, ModelField.subgraphs, ModelField.description, ModelField.metadataBuffer, ModelField.signatureDefs]) {
    const p = root.ref(id);
    if (p !== null) b.addFieldOffset(id, inBlob(p), 0);
  }
  b.addFieldOffset(ModelField.buffers, buffersVector, 0);
  b.addFieldOffset(ModelField.metadata, metadataVector, 0);
  b.finish(b.endObject(), TFLITE_FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}

/** A [ubyte] vector whose first byte is 16-byte aligned (TFLite's Buffer.data force_align). */
function writeAlignedBytes(b: Builder, bytes: Uint8Array): number {
  b.startVector(1, bytes.length, 16);
  for (let i = bytes.length - 1; i >= 0; i--) b.addInt8(bytes[i]!);
  return b.endVector();
}

function offsetVector(b: Builder, offsets: number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}

/** What {@link buildModelMetadata} encodes; mirrors the subset of `ModelMetadata` we use. */
export interface ImageModelMetadata {
  name: string;
  description: string;
  version: string;
  author: string;
  license: string;
  minParserVersion: string;
  input: { name: string; description: string; colorSpace: number; mean: number[]; std: number[] };
  outputs: { name: string; description: string }[];
}

/** Serializes a `ModelMetadata` ("M001") for a model with one image input and plain outputs. */
export function buildModelMetadata(m: ImageModelMetadata): Uint8Array {
  const b = new Builder(1024);
  const str = (s: string): number => b.createString(s);
  const floats = (values: number[]): number => {
    b.startVector(4, values.length, 4);
    for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]!);
    return b.endVector();
  };

  // Input tensor: ImageProperties content + a NormalizationOptions process unit.
  const mean = floats(m.input.mean);
  const std = floats(m.input.std);
  b.startObject(2);
  b.addFieldOffset(NormalizationOptionsField.mean, mean, 0);
  b.addFieldOffset(NormalizationOptionsField.std, std, 0);
  const normalization = b.endObject();
  b.startObject(2);
  b.addFieldInt8(ProcessUnitField.optionsType, ProcessUnitOptionsType.NormalizationOptions, 0);
  b.addFieldOffset(ProcessUnitField.options, normalization, 0);
  const processUnits = offsetVector(b, [b.endObject()]);
  b.startObject(2);
  b.addFieldInt8(ImagePropertiesField.colorSpace, m.input.colorSpace, 0);
  const imageProperties = b.endObject();
  b.startObject(3);
  b.addFieldInt8(ContentField.propertiesType, ContentPropertiesType.ImageProperties, 0);
  b.addFieldOffset(ContentField.properties, imageProperties, 0);
  const content = b.endObject();
  const inName = str(m.input.name);
  const inDescription = str(m.input.description);
  b.startObject(6);
  b.addFieldOffset(TensorMetadataField.name, inName, 0);
  b.addFieldOffset(TensorMetadataField.description, inDescription, 0);
  b.addFieldOffset(TensorMetadataField.content, content, 0);
  b.addFieldOffset(TensorMetadataField.processUnits, processUnits, 0);
  const input = b.endObject();

  const outputs = m.outputs.map((o) => {
    const name = str(o.name);
    const description = str(o.description);
    b.startObject(2);
    b.addFieldOffset(TensorMetadataField.name, name, 0);
    b.addFieldOffset(TensorMetadataField.description, description, 0);
    return b.endObject();
  });

  const inputs = offsetVector(b, [input]);
  const outputVector = offsetVector(b, outputs);
  b.startObject(4);
  b.addFieldOffset(SubGraphMetadataField.inputTensorMetadata, inputs, 0);
  b.addFieldOffset(SubGraphMetadataField.outputTensorMetadata, outputVector, 0);
  const subgraphs = offsetVector(b, [b.endObject()]);

  const fields = {
    name: str(m.name),
    description: str(m.description),
    version: str(m.version),
    author: str(m.author),
    license: str(m.license),
    minParserVersion: str(m.minParserVersion),
  };
  b.startObject(8);
  b.addFieldOffset(ModelMetadataField.name, fields.name, 0);
  b.addFieldOffset(ModelMetadataField.description, fields.description, 0);
  b.addFieldOffset(ModelMetadataField.version, fields.version, 0);
  b.addFieldOffset(ModelMetadataField.subgraphMetadata, subgraphs, 0);
  b.addFieldOffset(ModelMetadataField.author, fields.author, 0);
  b.addFieldOffset(ModelMetadataField.license, fields.license, 0);
  b.addFieldOffset(ModelMetadataField.minParserVersion, fields.minParserVersion, 0);
  b.finish(b.endObject(), METADATA_FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}

/** Decodes what {@link buildModelMetadata} wrote (the union types are checked, not assumed). */
export function readModelMetadata(bytes: Uint8Array): ImageModelMetadata {
  const root = rootTable(bytes, METADATA_FILE_IDENTIFIER);
  const subgraph = root.tables(ModelMetadataField.subgraphMetadata)[0];
  const input = subgraph?.tables(SubGraphMetadataField.inputTensorMetadata)[0];
  if (!subgraph || !input) throw new Error('metadata has no input tensor');
  const content = input.table(TensorMetadataField.content);
  if (content?.uint8(ContentField.propertiesType) !== ContentPropertiesType.ImageProperties) {
    throw new Error('input content is not ImageProperties');
  }
  const image = content.table(ContentField.properties);
  const unit = input
    .tables(TensorMetadataField.processUnits)
    .find((u) => u.uint8(ProcessUnitField.optionsType) === ProcessUnitOptionsType.NormalizationOptions);
  const normalization = unit?.table(ProcessUnitField.options);
  if (!image || !normalization) throw new Error('input lacks ImageProperties or NormalizationOptions');
  return {
    name: root.string(ModelMetadataField.name) ?? '',
    description: root.string(ModelMetadataField.description) ?? '',
    version: root.string(ModelMetadataField.version) ?? '',
    author: root.string(ModelMetadataField.author) ?? '',
    license: root.string(ModelMetadataField.license) ?? '',
    minParserVersion: root.string(ModelMetadataField.minParserVersion) ?? '',
    input: {
      name: input.string(TensorMetadataField.name) ?? '',
      description: input.string(TensorMetadataField.description) ?? '',
      colorSpace: image.int8(ImagePropertiesField.colorSpace),
      mean: normalization.float32s(NormalizationOptionsField.mean),
      std: normalization.float32s(NormalizationOptionsField.std),
    },
    outputs: subgraph.tables(SubGraphMetadataField.outputTensorMetadata).map((t) => ({
      name: t.string(TensorMetadataField.name) ?? '',
      description: t.string(TensorMetadataField.description) ?? '',
    })),
  };
}
