import { clampScroll } from "./screen.js"
import {
  handleKey,
  reduce,
  type Action,
  type ChatState,
  type Intent,
  type KeyPress,
} from "./model.js"

/**
 * The state of a running chat client, between the screen (which reads it and hands it keys) and
 * the fleet (whose events and replies are dispatched to it).
 */
export interface ChatStore {
  readonly getState: () => ChatState
  readonly subscribe: (listener: () => void) => () => void
  readonly dispatch: (action: Action) => void
  /** A key press: the state changes, and what the key asks for goes to `onIntent`. */
  readonly key: (key: KeyPress) => void
}

export const makeStore = (
  initial: ChatState,
  onIntent: (intent: Intent) => void,
  now: () => number = () => Math.floor(Date.now() / 1000),
): ChatStore => {
  let state = initial
  const listeners = new Set<() => void>()
  const set = (next: ChatState) => {
    if (next === state) return
    state = next
    for (const listener of listeners) listener()
  }
  return {
    getState: () => state,
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    dispatch: (action) => set(reduce(state, action)),
    key: (key) => {
      const outcome = handleKey(state, key, now())
      set(clampScroll(outcome.state))
      if (outcome.intent !== undefined) onIntent(outcome.intent)
    },
  }
}
