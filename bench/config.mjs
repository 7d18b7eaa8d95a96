// The benchmark's knobs, in one place. `bash bench/run.sh --help` lists the command-line overrides.

/**
 * The per-frame schedule of the onnxruntime-web pipeline (the peer that runs the same three models as
 * photo-check). It must match what photo-check's steady state does, so both do the same work:
 *   detectEvery:  run the face detector on frame i when i % detectEvery == 0 (and whenever tracking is lost);
 *                 on the other frames the face-mesh ROI comes from the previous frame's landmarks.
 *   segmentEvery: run selfie segmentation on frame i when i % segmentEvery == 0.
 * These are photo-check's own values (profiles/chsi.toml `[tracking]`: redetect_every = 10, segment_every = 3);
 * change both together (or pass --detect-every N --segment-every N to run.sh).
 */
export const SCHEDULE = { detectEvery: 10, segmentEvery: 3 };

/** Frame sizes of the sequence (the sample portrait placed in a camera-like frame). */
export const SIZES = [[640, 480], [1280, 720]];

/** Frames per size: `warmup` untimed frames first, then `measured` timed ones; `memory` steady frames for
 *  the peak-memory run (sampled every `memoryEvery`), runs per network of the tract op profile (`profileRuns`).
 *  `quick` is the --quick variant for iterating. */
export const FRAMES = {
  full: { warmup: 10, measured: 120, memory: 1000, memoryEvery: 100, profileRuns: 20 },
  quick: { warmup: 3, measured: 20, memory: 200, memoryEvery: 50, profileRuns: 5 },
};

/** Seed of the frame generator (motion, brightness, noise). Same seed, same frames. */
export const SEED = 5;

/** What one browser downloads (one wasm module + the three models), gzip, must stay under this (issue #17: 4 MB,
 * was 5 MB). */
export const BUDGET_BYTES = 4_000_000;
