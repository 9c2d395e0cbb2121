/**
 * UBJSON markers (UBJSON Draft 12, "Type reference" and "Optimized Format") and the five that only
 * BJData (Draft 3, a UBJSON superset) has. Shared by ./ubjson.ts (encoder) and ./ubjsonDecoder.ts.
 */
export const NULL = 0x5a; // Z
export const NOOP = 0x4e; // N
export const TRUE = 0x54; // T
export const FALSE = 0x46; // F
export const INT8 = 0x69; // i
export const UINT8 = 0x55; // U
export const INT16 = 0x49; // I
export const INT32 = 0x6c; // l
export const INT64 = 0x4c; // L
export const FLOAT32 = 0x64; // d
export const FLOAT64 = 0x44; // D
export const HIGH_PRECISION = 0x48; // H
export const CHAR = 0x43; // C
export const STRING = 0x53; // S
export const ARRAY_START = 0x5b; // [
export const ARRAY_END = 0x5d; // ]
export const OBJECT_START = 0x7b; // {
export const OBJECT_END = 0x7d; // }
export const CONTAINER_TYPE = 0x24; // $
export const CONTAINER_COUNT = 0x23; // #
export const BJ_UINT16 = 0x75; // u
export const BJ_UINT32 = 0x6d; // m
export const BJ_UINT64 = 0x4d; // M
export const BJ_FLOAT16 = 0x68; // h
export const BJ_BYTE = 0x42; // B
