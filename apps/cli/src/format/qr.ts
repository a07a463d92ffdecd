import QRCode from "qrcode"
import { Effect } from "effect"

/**
 * The QR code drawn for a terminal with half blocks (two modules per character row), so a
 * login code fits in about 30 rows; it sets its own black-on-white colours for dark themes.
 */
export const drawQr = (payload: string): Effect.Effect<string> =>
  Effect.promise(() => QRCode.toString(payload, { type: "terminal", small: true, errorCorrectionLevel: "L" }))
