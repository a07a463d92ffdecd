import { homedir } from "node:os"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import type { PlatformError } from "@effect/platform/Error"
import { MAX_MEDIA_BYTES, SentReply } from "@wxfleet/contracts"
import { Data, Effect, Schema } from "effect"
import { FleetClient, type FleetError } from "../fleet/FleetClient.js"
import type { Action, Intent } from "./model.js"

/** A file over what a command may carry. */
class MediaTooLarge extends Data.TaggedError("MediaTooLarge")<{ readonly message: string }> {}

/** An error as one line of the status bar. */
export const describeError = (error: FleetError | MediaTooLarge | PlatformError): string => {
  switch (error._tag) {
    case "CommandRejected":
      return `${error.error.tag}: ${error.error.message}`
    case "FleetUnreachable":
      return "no supervisor answers (is one running on this NATS server?)"
    case "SystemError":
      return `${error.reason === "NotFound" ? "no such file" : error.reason} ${error.pathOrDescriptor ?? ""}`.trim()
    default:
      return error.message
  }
}

/** Uploads take longer than texts: the supervisor sends them in chunks, paced. */
const MEDIA_TIMEOUT_MS = 120_000

/** A file named in the composer: `~` is the home directory, relative paths start where wxfleet runs. */
const readMedia = (input: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = path.resolve(input.startsWith("~/") ? path.join(homedir(), input.slice(2)) : input)
    const info = yield* fs.stat(file)
    if (Number(info.size) > MAX_MEDIA_BYTES)
      return yield* new MediaTooLarge({
        message: `${path.basename(file)} is ${Math.ceil(Number(info.size) / 1024)} KiB; at most ${MAX_MEDIA_BYTES / 1024} KiB can be sent`,
      })
    const bytes = yield* fs.readFile(file)
    return { fileName: path.basename(file), data: Buffer.from(bytes).toString("base64") }
  })

/** A send's reply, or its failure, as the Action that settles the message shown as pending. */
const settleSend =
  (chat: string, key: string) =>
  <E extends FleetError | MediaTooLarge | PlatformError, R>(
    send: Effect.Effect<{ readonly msgId: string; readonly localId: string }, E, R>,
  ): Effect.Effect<Action, never, R> =>
    send.pipe(
      Effect.map((reply): Action => ({ _tag: "Sent", chat, key, msgId: reply.msgId, localId: reply.localId })),
      Effect.catchAll((error) => Effect.succeed<Action>({ _tag: "SendFailed", chat, key, error: describeError(error) })),
    )

/** Carries out what a key asked of the fleet; its outcome, failures included, as an Action. */
export const perform = (
  account: string,
  intent: Exclude<Intent, { readonly _tag: "Quit" }>,
): Effect.Effect<
  Action | ReadonlyArray<Action>,
  never,
  FleetClient | FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function* () {
    const fleet = yield* FleetClient
    switch (intent._tag) {
      case "SendText": {
        const { chat, key } = intent
        return yield* fleet.sendText(account, chat, intent.text).pipe(
          settleSend(chat, key),
        )
      }
      case "SendMedia": {
        const { chat, key } = intent
        return yield* readMedia(intent.path).pipe(
          Effect.flatMap((media) =>
            fleet.command(
              account,
              intent.kind === "image" ? "send_image" : "send_file",
              { to: chat, ...media },
              SentReply,
              MEDIA_TIMEOUT_MS,
            ),
          ),
          settleSend(chat, key),
        )
      }
      case "Revoke": {
        const { chat, key, msgId, localId } = intent
        return yield* fleet
          .command(account, "revoke", { to: chat, msgId, localId }, Schema.Unknown)
          .pipe(
            Effect.as<Action>({ _tag: "Revoked", chat, key }),
            Effect.catchAll((error) =>
              Effect.succeed<Action>({
                _tag: "RevokeFailed",
                chat,
                key,
                error: describeError(error),
              }),
            ),
          )
      }
      case "ReloadContacts": {
        const loaded = yield* loadContacts(account)
        return loaded._tag === "ContactsLoaded"
          ? [loaded, { _tag: "Info", text: `${loaded.contacts.length} contacts` }]
          : loaded
      }
    }
  })

/** The account's contacts, or why they could not be read. */
export const loadContacts = (account: string): Effect.Effect<Action, never, FleetClient> =>
  Effect.flatMap(FleetClient, (fleet) => fleet.contacts(account)).pipe(
    Effect.map((contacts): Action => ({ _tag: "ContactsLoaded", contacts })),
    Effect.catchAll((error) =>
      Effect.succeed<Action>({ _tag: "Failed", error: `contacts: ${describeError(error)}` }),
    ),
  )
