import { Either } from "effect"

/**
 * `NewMsgId` arrives as a bare integer above 2^53, which `JSON.parse` rounds; it is quoted
 * before parsing so every digit survives (as a string, like `MsgId`).
 */
const quoteBigIds = (text: string): string => text.replace(/"NewMsgId"\s*:\s*(\d+)/g, `"NewMsgId":"$1"`)

export const parseServerJson = (text: string): Either.Either<unknown, string> => {
  try {
    return Either.right(JSON.parse(quoteBigIds(text)))
  } catch (error) {
    return Either.left(`invalid JSON: ${(error as Error).message}`)
  }
}
