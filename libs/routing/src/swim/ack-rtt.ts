/**
 * The round trip of this node's direct probes, smoothed as TCP smooths its own (Jacobson/Karels,
 * RFC 6298): `srtt` follows the samples with gain 1/8, `rttvar` their deviation with gain 1/4, and
 * `srtt + 4 × rttvar` bounds nearly every round trip seen lately. SWIM's fixed ack deadline assumes
 * that every live member answers within it; on a saturated machine every process runs at a
 * fraction of its speed, answers come later from everybody, and a fixed deadline turns load into
 * suspicions. With the deadline at least this bound, the prober waits as long as the members have
 * lately needed to answer (Cassandra's phi-accrual detector adapts to observed heartbeat intervals
 * for the same reason), while on an idle network the bound is far below the configured deadline,
 * which then applies unchanged: a dead member is found as fast as before.
 */
export class AckRtt {
  #srtt: number | undefined;
  #rttvar = 0;

  /** Records the round trip of one direct ack, in milliseconds. */
  observe(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    if (this.#srtt === undefined) {
      this.#srtt = ms;
      this.#rttvar = ms / 2;
      return;
    }
    this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - ms);
    this.#srtt = 0.875 * this.#srtt + 0.125 * ms;
  }

  /** `srtt + 4 × rttvar`, or 0 before any sample. */
  get boundMs(): number {
    return this.#srtt === undefined ? 0 : this.#srtt + 4 * this.#rttvar;
  }
}

/** The observed round-trip bound counts up to this multiple of the configured probe timeout. */
export const RTT_BOUND_MAX_FACTOR = 2;

/**
 * The ack deadline and the period of one probe. The deadline is the configured probe timeout, or
 * the observed round-trip bound when that is longer (up to {@link RTT_BOUND_MAX_FACTOR} × the
 * timeout), stretched by the local health score (Lifeguard), never beyond `probeTimeout ×
 * awarenessMax`. The period keeps the configured ratio of period to timeout, so the indirect
 * probes keep their share of it; it is never shorter than the awareness-stretched interval.
 */
export function probeTiming(
  tuning: { probeIntervalMs: number; probeTimeoutMs: number; awarenessMaxMultiplier: number },
  score: number,
  rttBoundMs: number,
): { ackTimeoutMs: number; periodMs: number } {
  const factor = score + 1;
  const ceiling = tuning.awarenessMaxMultiplier;
  // The observed bound may at most double the deadline: beyond that it would delay finding a
  // crashed member more than it spares slow ones (the 5 s detection bound at N = 22).
  const observed = Math.min(rttBoundMs, RTT_BOUND_MAX_FACTOR * tuning.probeTimeoutMs);
  const ackTimeoutMs = Math.min(tuning.probeTimeoutMs * ceiling, Math.ceil(Math.max(tuning.probeTimeoutMs, observed) * factor));
  const periodMs = Math.min(
    tuning.probeIntervalMs * ceiling,
    Math.max(tuning.probeIntervalMs * factor, Math.ceil((ackTimeoutMs * tuning.probeIntervalMs) / tuning.probeTimeoutMs)),
  );
  return { ackTimeoutMs, periodMs };
}
