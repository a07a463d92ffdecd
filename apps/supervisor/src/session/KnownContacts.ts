/** FNV-1a, 32 bits: two of an account's few hundred UserNames collide about once in ten million accounts. */
export const nameHash = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

const contains = (sorted: Uint32Array, value: number): boolean => {
  let low = 0
  let high = sorted.length - 1
  while (low <= high) {
    const middle = (low + high) >>> 1
    const at = sorted[middle]!
    if (at === value) return true
    if (at < value) low = middle + 1
    else high = middle - 1
  }
  return false
}

/**
 * The contacts a session knows, to tell an added contact from a changed one. A fleet keeps this
 * for every account, so it holds 32-bit hashes of the UserNames in a sorted typed array (4 bytes
 * a contact, against tens for a Set of strings), with small sets for the changes since.
 */
export class KnownContacts {
  private sorted = new Uint32Array(0)
  private added: Set<number> | undefined
  private removed: Set<number> | undefined

  /** Forgets everything and knows exactly these. */
  reset(userNames: Iterable<string>): void {
    const hashes = Array.from(userNames, nameHash).sort((a, b) => a - b)
    this.sorted = Uint32Array.from(hashes)
    this.added = undefined
    this.removed = undefined
  }

  /**
   * What it knows now as a string (base64 of the sorted hashes), for a stored session: resumed,
   * it needs no contact listing to tell added contacts from changed ones (its UserNames are the
   * same; a new login's are not, and lists again).
   */
  serialize(): string {
    let hashes = this.sorted
    if (this.added !== undefined || this.removed !== undefined) {
      const now = new Set(this.sorted)
      for (const hash of this.added ?? []) now.add(hash)
      for (const hash of this.removed ?? []) now.delete(hash)
      hashes = Uint32Array.from([...now].sort((a, b) => a - b))
    }
    const bytes = Buffer.allocUnsafe(hashes.length * 4)
    for (let i = 0; i < hashes.length; i++) bytes.writeUInt32LE(hashes[i]!, i * 4)
    return bytes.toString("base64")
  }

  /** Knows exactly what `serialize` gave; false (and nothing changed) when `text` is not one. */
  restore(text: string): boolean {
    const bytes = Buffer.from(text, "base64")
    if (bytes.length % 4 !== 0 || bytes.toString("base64") !== text) return false
    const hashes = new Uint32Array(bytes.length / 4)
    for (let i = 0; i < hashes.length; i++) hashes[i] = bytes.readUInt32LE(i * 4)
    for (let i = 1; i < hashes.length; i++) if (hashes[i - 1]! >= hashes[i]!) return false
    this.sorted = hashes
    this.added = undefined
    this.removed = undefined
    return true
  }

  has(userName: string): boolean {
    const hash = nameHash(userName)
    if (this.removed?.has(hash)) return false
    return this.added?.has(hash) === true || contains(this.sorted, hash)
  }

  add(userName: string): void {
    const hash = nameHash(userName)
    this.removed?.delete(hash)
    if (!contains(this.sorted, hash)) (this.added ??= new Set()).add(hash)
  }

  delete(userName: string): void {
    const hash = nameHash(userName)
    this.added?.delete(hash)
    if (contains(this.sorted, hash)) (this.removed ??= new Set()).add(hash)
  }
}
