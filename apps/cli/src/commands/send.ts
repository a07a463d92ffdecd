import { Args, Command, Options } from "@effect/cli"
import { MAX_MEDIA_BYTES, SentReply } from "@wxfleet/contracts"
import { readFile } from "node:fs/promises"
import { basename } from "node:path"
import { Console, Effect, Either, Option } from "effect"
import { FleetClient } from "../fleet/FleetClient.js"
import { describeContact, findRecipient, isUserName } from "../fleet/recipient.js"
import { failed, usage } from "./ExitCode.js"
import { json, withProgress } from "./shared.js"
import { withFleet } from "./shared.js"

const account = Args.text({ name: "account" }).pipe(Args.withDescription("The fleet account that sends"))
const to = Args.text({ name: "to" }).pipe(
  Args.withDescription("A UserName (@…, @@…, filehelper) or a contact's display name, remark or nickname"),
)
const text = Args.text({ name: "text" }).pipe(Args.withDescription("The text to send"), Args.optional)
const image = Options.file("image", { exists: "yes" }).pipe(Options.withDescription("Send this picture instead of a text"), Options.optional)
const file = Options.file("file", { exists: "yes" }).pipe(Options.withDescription("Send this file instead of a text"), Options.optional)

type Content =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "send_image" | "send_file"; readonly path: string }

const contentOf = (text: Option.Option<string>, image: Option.Option<string>, file: Option.Option<string>) => {
  const given: Array<Content> = [
    ...Option.toArray(Option.map(text, (t): Content => ({ kind: "text", text: t }))),
    ...Option.toArray(Option.map(image, (path): Content => ({ kind: "send_image", path }))),
    ...Option.toArray(Option.map(file, (path): Content => ({ kind: "send_file", path }))),
  ]
  return given.length === 1 ? Effect.succeed(given[0]!) : Effect.fail(usage("send takes exactly one of <text>, --image FILE, --file FILE"))
}

/** The file as base64, refused before it leaves when it is over what a command may carry. */
const readMedia = (path: string) =>
  Effect.tryPromise({ try: () => readFile(path), catch: (e) => usage(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`) }).pipe(
    Effect.filterOrFail(
      (bytes) => bytes.length <= MAX_MEDIA_BYTES,
      (bytes) => usage(`${path} is ${bytes.length} bytes; a command carries at most ${MAX_MEDIA_BYTES} bytes (${MAX_MEDIA_BYTES / 1024} KiB)`),
    ),
    Effect.map((bytes) => ({ fileName: basename(path), data: bytes.toString("base64") })),
  )

/** `to` as a UserName: as given, or looked up among the account's contacts. */
const resolve = (account: string, to: string) =>
  Effect.gen(function* () {
    if (isUserName(to)) return { userName: to, label: to }
    const contacts = yield* (yield* FleetClient).contacts(account).pipe(withProgress(`looking up "${to}" among ${account}'s contacts…`))
    const found = findRecipient(contacts, to)
    if (Either.isRight(found)) return { userName: found.right.userName, label: `${found.right.displayName || to} (${found.right.userName})` }
    const problem = found.left
    return yield* Effect.fail(
      problem._tag === "NoSuchContact"
        ? failed(`NoSuchContact: ${account} has no contact named "${to}"`)
        : failed(`AmbiguousContact: "${to}" names ${problem.candidates.length} contacts; give one's UserName:\n${problem.candidates.map((c) => `  ${describeContact(c)}`).join("\n")}`),
    )
  })

/** `wxfleet send <account> <to> (<text> | --image FILE | --file FILE)`. */
export const sendCommand = Command.make("send", { image, file, json, account, to, text }, (args) =>
  withFleet(
    Effect.gen(function* () {
      const content = yield* contentOf(args.text, args.image, args.file)
      const media = content.kind === "text" ? undefined : yield* readMedia(content.path)
      const fleet = yield* FleetClient
      const recipient = yield* resolve(args.account, args.to)
      const reply = yield* (
        content.kind === "text"
          ? fleet.command(args.account, "send_text", { to: recipient.userName, text: content.text }, SentReply)
          : fleet.command(args.account, content.kind, { to: recipient.userName, ...media! }, SentReply, 120_000)
      ).pipe(withProgress(`sending to ${recipient.label}…`))
      yield* Console.log(
        args.json ? JSON.stringify(reply) : `sent to ${recipient.label}: msgId ${reply.msgId}, localId ${reply.localId}`,
      )
    }),
  ),
).pipe(Command.withDescription("Send a text, a picture or a file from an account"))
