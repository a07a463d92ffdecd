// tsx runs this file with apps/cli/tsconfig.json, which names no JSX runtime: these pragmas do.
/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, render, Text, useInput, useStdout, type Instance } from "ink"
import { useEffect, useSyncExternalStore } from "react"
import { screen } from "./screen.js"
import type { ChatStore } from "./store.js"

/** The terminal's size, with the classic 80×24 when it does not say. */
export const viewportOf = (stdout: NodeJS.WriteStream) => ({
  cols: stdout.columns || 80,
  rows: stdout.rows || 24,
})

const ChatApp = ({ store }: { readonly store: ChatStore }) => {
  const state = useSyncExternalStore(store.subscribe, store.getState)
  const { stdout } = useStdout()
  useEffect(() => {
    const onResize = () => store.dispatch({ _tag: "Resized", viewport: viewportOf(stdout) })
    stdout.on("resize", onResize)
    return () => {
      stdout.off("resize", onResize)
    }
  }, [stdout, store])
  useInput((input, key) => store.key({ ...key, input }))
  return (
    <Box flexDirection="column">
      {screen(state).map((row, i) => (
        <Text key={i} wrap="truncate-end">
          {row.map((segment, j) => (
            <Text key={j} {...segment.style}>
              {segment.text}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  )
}

/** Alternate screen buffer: the chat takes the whole terminal and gives the shell's screen back on quit. */
const ENTER_ALTERNATE_SCREEN = "\u001b[?1049h"
const LEAVE_ALTERNATE_SCREEN = "\u001b[?1049l"

/** Draws the chat client full-screen until `close`; Ctrl-C is a key like any other (see model.ts). */
export const renderChat = (
  store: ChatStore,
): { readonly instance: Instance; readonly close: () => void } => {
  process.stdout.write(ENTER_ALTERNATE_SCREEN)
  const instance = render(<ChatApp store={store} />, { exitOnCtrlC: false, patchConsole: false })
  return {
    instance,
    close: () => {
      instance.unmount()
      process.stdout.write(LEAVE_ALTERNATE_SCREEN)
    },
  }
}
