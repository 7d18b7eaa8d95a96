// Spoken guidance (Web Speech API): one instruction at a time, spoken only when it changes and at most every
// SPEECH_GAP_MS; an instruction that changes again within the gap is replaced, so only the newest is said
// when the gap ends. No DOM access at import; the clock and timers can be injected (unit tests).

export const SPEECH_GAP_MS = 3000;

/**
 * synth / Utterance: window.speechSynthesis / SpeechSynthesisUtterance (absent: `available` is false and
 * every call does nothing). Returns
 *   say(text, lang)       an instruction: spoken if it differs from the last one said, throttled
 *   announce(text, lang)  an event (the capture): what is queued is dropped, said at once
 *   cancel()              stale (camera closed, preview): stops speech, drops the pending instruction, and
 *                         forgets the last one so it is said again when guidance resumes
 *   unlock()              from the first user gesture: iOS speaks only after a speak() inside one
 *   enabled / setEnabled(on)
 */
export function createSpeaker({
  synth = globalThis.speechSynthesis, Utterance = globalThis.SpeechSynthesisUtterance,
  now = () => performance.now(), setTimer = setTimeout, clearTimer = clearTimeout, gapMs = SPEECH_GAP_MS,
} = {}) {
  const available = !!synth && typeof synth.speak === 'function' && typeof Utterance === 'function';
  let enabled = false;
  let last = null; // the last instruction said
  let lastAt = -Infinity;
  let pending = null; // { text, lang }
  let timer = null;
  let unlocked = false;

  function speak(text, lang) {
    try {
      synth.cancel(); // one at a time: what is still being said is stale
      const u = new Utterance(text);
      u.lang = lang;
      synth.speak(u);
    } catch (e) { console.warn('speechSynthesis', e); }
  }
  function dropPending() {
    if (timer !== null) clearTimer(timer);
    timer = null;
    pending = null;
  }
  function flush() {
    timer = null;
    if (!pending) return;
    const { text, lang } = pending;
    pending = null;
    last = text; lastAt = now();
    speak(text, lang);
  }
  const speaker = {
    available,
    get enabled() { return enabled; },
    setEnabled(on) {
      enabled = available && !!on;
      if (!enabled) speaker.cancel();
    },
    say(text, lang) {
      if (!enabled || !text) return;
      if (text === last) { dropPending(); return; }
      if (pending?.text === text) return;
      const wait = lastAt + gapMs - now();
      if (wait <= 0) { dropPending(); last = text; lastAt = now(); speak(text, lang); return; }
      pending = { text, lang };
      if (timer === null) timer = setTimer(flush, wait);
    },
    announce(text, lang) {
      if (!enabled) return;
      dropPending();
      last = null;
      lastAt = now();
      speak(text, lang);
    },
    // iOS Safari says nothing until speak() has been called inside a user gesture: call this from the first tap
    // (an empty utterance, nothing audible).
    unlock() {
      if (!available || unlocked) return;
      unlocked = true;
      try { synth.speak(new Utterance('')); } catch { /* not from a gesture: the next tap cannot help either */ }
    },
    cancel() {
      dropPending();
      last = null;
      if (available) { try { synth.cancel(); } catch { /* nothing to stop */ } }
    },
  };
  return speaker;
}
