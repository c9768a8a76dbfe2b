/**
 * Each user may store UPLOAD_MB_PER_DAY of files a day, attachments and import uploads together. Every byte uploaded
 * lands in the operator's bucket and stays there, and any account can upload (an OAuth sign-in is enough), so the
 * per-file limits (MAX_UPLOAD_MB, IMPORT_MAX_MB) alone would let one account fill the bucket file by file.
 *
 * The budget is a rate counter in the table (data/layer/rate-counters.ts) counting bytes: one atomic ADD per upload,
 * so every instance sees one count and uploads started at once cannot share one look at it. An upload is charged
 * before a byte is stored (its declared size, or the largest it may be), and the charge is settled afterwards: taken
 * back whole when nothing was stored, down to what was stored otherwise. Every file counts at least MIN_CHARGE_BYTES,
 * because a tiny file still costs an object, an item and requests.
 */
import type { Refusal } from "@/lib/shared/refusal";
import type { Services } from "./services";

const DAY_MS = 24 * 60 * 60 * 1000;
const MB = 1024 * 1024;
export const MIN_CHARGE_BYTES = 256 * 1024;

export interface UploadCharge {
  /** Settles the charge: `storedBytes` null when nothing was stored (all of it taken back). Never throws. */
  settle(storedBytes: number | null): Promise<void>;
}

export type ChargeResult = { ok: true; charge: UploadCharge } | { ok: false; status: 429; error: string; refusal: Refusal };

const counterName = (userId: string) => `upload\n${userId}`;
const chargeFor = (bytes: number) => Math.max(MIN_CHARGE_BYTES, Math.ceil(bytes));

function overBudget(budgetMb: number, windowEndsAt: number, now: number) {
  const retryAfterSeconds = Math.max(1, Math.ceil((windowEndsAt - now) / 1000));
  const hours = Math.ceil(retryAfterSeconds / 3600);
  const error = `You have uploaded the ${budgetMb} MB of files this app accepts from one account in a day. Try again in ${hours} hour${hours === 1 ? "" : "s"}.`;
  return { error, refusal: { code: "upload-budget", retryAfterSeconds, limitMb: budgetMb } satisfies Refusal };
}

/** Charges an upload of at most `maxBytes` to the user's day; refused (nothing counted) when it would pass the budget. */
export async function chargeUpload(services: Pick<Services, "data" | "env">, userId: string, maxBytes: number, now = Date.now()): Promise<ChargeResult> {
  const name = counterName(userId);
  const charged = chargeFor(maxBytes);
  const hit = await services.data.countRateHit(name, DAY_MS, now, charged);
  const release = (amount: number) => (amount > 0 ? services.data.releaseRateHit(name, Date.now(), amount).catch(() => undefined) : Promise.resolve());
  if (hit.count > services.env.UPLOAD_MB_PER_DAY * MB) {
    // A refused upload stores nothing, so it takes nothing from the day.
    await release(charged);
    return { ok: false, status: 429, ...overBudget(services.env.UPLOAD_MB_PER_DAY, hit.windowEndsAt, now) };
  }
  return { ok: true, charge: { settle: (storedBytes) => release(storedBytes === null ? charged : charged - chargeFor(storedBytes)) } };
}

/** Why an import's content was refused: the day's budget and the hours until it opens again. */
export interface ImportOverBudget {
  limitMb: number;
  hours: number;
}

/**
 * What an import stores beyond its upload: its conversations' text and the attachments it unpacks. The upload was
 * charged at its size in the zip, and a zip inflates (an import reads up to 4 GB of it, 200 times smaller at a ratio
 * the import allows): a 4 MB zip of 1 MB entries of zeros stored 4 GB of attachments on a 4 MB charge, day after day.
 * What an import stores counts first against the bytes its upload was charged for (an ordinary export holds about its
 * own size), then against the owner's day, byte for byte (no minimum: text is charged a batch at a time). Returns
 * the charge: null when it fits, else why not (nothing counted).
 */
export function importAllowance(services: Pick<Services, "data" | "env">, userId: string, uploadedBytes: number) {
  let prepaid = chargeFor(Math.max(0, uploadedBytes));
  return async (bytes: number): Promise<ImportOverBudget | null> => {
    const covered = Math.min(prepaid, bytes);
    prepaid -= covered;
    const rest = Math.ceil(bytes - covered);
    if (rest <= 0) return null;
    const name = counterName(userId);
    const now = Date.now();
    const hit = await services.data.countRateHit(name, DAY_MS, now, rest);
    if (hit.count <= services.env.UPLOAD_MB_PER_DAY * MB) return null;
    await services.data.releaseRateHit(name, Date.now(), rest).catch(() => undefined);
    const { refusal } = overBudget(services.env.UPLOAD_MB_PER_DAY, hit.windowEndsAt, now);
    return { limitMb: refusal.limitMb, hours: Math.ceil(refusal.retryAfterSeconds / 3600) };
  };
}
