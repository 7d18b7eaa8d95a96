// One thing to do at a time. The checklist is in report order, which is also the order of importance
// (face_count, framing, head_pose, …): the first item that is not passing is the one instruction shown
// prominently and spoken; the items that cannot be judged until it is fixed (their reason is one of the
// face-dependent common reasons, e.g. every check says no_face when face_count fails) are shown as waiting,
// without repeating its message. No DOM access: unit-tested in Node.

// Reasons that mean "this check waits on an earlier one" (src/report/check.rs, Common).
export const WAITING_REASONS = new Set(['no_face', 'multiple_faces', 'face_too_small']);

/**
 * items: [{ id, status, reason, message_zh, message_en }] in checklist order. Returns
 *   { primary: the first item whose status is fail or unknown (null when all pass),
 *     rows: items (not_required dropped) each with `view`: 'pass' | 'primary' | 'waiting' (on the primary) |
 *           'later' (fails or is unknown for its own reason; its message is not repeated in the live view) }
 */
export function planChecklist(items) {
  const shown = items.filter((i) => i.status !== 'not_required');
  const primary = shown.find((i) => i.status === 'fail' || i.status === 'unknown') ?? null;
  let seenPrimary = false;
  const rows = shown.map((i) => {
    if (i === primary) { seenPrimary = true; return { ...i, view: 'primary' }; }
    if (i.status === 'pass') return { ...i, view: 'pass' };
    const waits = seenPrimary && (WAITING_REASONS.has(i.reason) || i.reason === primary.reason);
    return { ...i, view: waits ? 'waiting' : 'later' };
  });
  return { primary, rows };
}
