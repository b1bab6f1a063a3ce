/**
 * Builds the stage LP of `lp-formulation.md` (parallel blocks) for one study stage, with Cobre's
 * conventions for units and scaling:
 *
 * - Decision variables are rates (MW, m3/s); block hours enter only costs and the water balance,
 *   where `0.0036 * hours` converts m3/s over a block into hm3.
 * - Every cost coefficient is `cost * hours / COST_SCALE`; theta keeps coefficient `d_t` (the
 *   one-step discount factor), so the objective is `(stage cost) / COST_SCALE + d_t * theta`
 *   and theta carries the scaled future cost. Costs are multiplied back at the reporting edge.
 * - State enters through fixing rows (`v_in = v_hat`, `a_l = a_hat_l`) whose duals are the cut
 *   coefficients; the realised inflow `z` is an LP column defined by `z - sum psi a = base + sigma
 *   eta`, so per-scenario noise patches one row per hydro and cuts can reference `z` as lag 1 of
 *   the next stage.
 *
 * @module
 */
import { CobreError, errorRecord } from "../common/mod.ts";
import type { CaseModel } from "./case_types.ts";
import type { LpModel } from "./lp/mod.ts";
import { LpAssembler } from "./lp_assembler.ts";
import type { ParModel } from "./scenarios/mod.ts";

/** Monetary costs are divided by this in the LP for conditioning (Cobre's COST_SCALE_FACTOR). */
export const COST_SCALE = 1000;
/** hm3 per (m3/s * hour). */
export const HM3_PER_M3S_HOUR = 0.0036;

/** How negative PAR inflows are handled (`config.modeling.inflow_non_negativity.method`). */
export type InflowMethod = "none" | "penalty" | "truncation" | "truncation_with_penalty";

/** Column and row positions of one stage LP; `-1` marks an absent column. */
export interface StageLayout {
  stageIndex: number;
  stageId: number;
  nHydros: number;
  nLags: number;
  nBlocks: number;
  blockHours: number[];
  /** `0.0036 * total stage hours`: m3/s held for the whole stage, in hm3. */
  zeta: number;
  /** Outgoing storage, one per hydro. */
  colStorageOut: number;
  /** Incoming lags, lag-major: `colLag + l * nHydros + h`. */
  colLag: number;
  colStorageIn: number;
  /** Realised incremental inflow z (m3/s), one per hydro. */
  colInflow: number;
  colTheta: number;
  /** Per hydro and block: `start + h * nBlocks + k`. */
  colTurbined: number;
  colSpillage: number;
  /** Diversion per hydro and block, or -1 per hydro without a diversion channel. */
  colDiversion: number[];
  colThermal: number;
  colLineDirect: number;
  colLineReverse: number;
  /** Per bus: first deficit column; segment s, block k at `start + s * nBlocks + k`. */
  colDeficit: number[];
  colExcess: number;
  /** Inflow non-negativity slack per hydro, or -1 (method without slack). */
  colInflowSlack: number;
  colWithdrawalUnder: number[];
  colWithdrawalOver: number[];
  /** Per hydro: first column of the per-block slack, or -1 when the bound cannot bind. */
  colOutflowBelow: number[];
  colOutflowAbove: number[];
  colTurbinedBelow: number[];
  colGenerationBelow: number[];
  rowStorageFix: number;
  rowLagFix: number;
  rowInflow: number;
  rowWaterBalance: number;
  /** Per bus and block: `start + b * nBlocks + k`. */
  rowLoadBalance: number;
  numStructuralRows: number;
  /** Effective productivity per hydro (MW per m3/s). */
  productivity: number[];
  /** Load per bus and block before noise (`mean_mw * block factor`). */
  loadBase: number[];
}

/** A stage LP ready to load into a solver, with its layout. */
export interface StageTemplate {
  model: LpModel;
  layout: StageLayout;
}

/** True when an entity with these lifecycle stage ids operates at stage `stageId`. */
function inService(entry: number | null, exit: number | null, stageId: number): boolean {
  return (entry === null || stageId >= entry) && (exit === null || stageId < exit);
}

function unsupported(message: string, context: Record<string, string | number>): CobreError {
  return new CobreError(
    errorRecord(
      "IncompatibleSettings",
      message,
      context,
      "Use constant-productivity hydros without evaporation, or run the case with the Cobre CLI.",
    ),
  );
}

/** Rejects case features this engine does not model, instead of silently ignoring them. */
export function checkSupported(model: CaseModel): void {
  for (const hydro of model.hydros) {
    hydro.stage_generation_model.forEach((kind, t) => {
      if (kind === "fpha") {
        throw unsupported(`Hydro ${hydro.id} uses the FPHA production model, not supported`, {
          hydro_id: hydro.id,
          stage_id: model.stages[t]?.id ?? t,
        });
      }
    });
    if (hydro.has_evaporation) {
      throw unsupported(`Hydro ${hydro.id} models evaporation, not supported`, {
        hydro_id: hydro.id,
      });
    }
  }
  for (const stage of model.stages) {
    if (stage.risk_measure.kind !== "expectation") {
      throw unsupported(`Stage ${stage.id} uses a CVaR risk measure, not supported`, {
        stage_id: stage.id,
      });
    }
  }
}

/** Builds the LP of study stage `t` (with no cuts yet). */
export function buildStageTemplate(
  model: CaseModel,
  t: number,
  par: ParModel,
  inflowMethod: InflowMethod,
  discountFactor: number,
): StageTemplate {
  const stage = model.stages[t]!;
  const { hydros, thermals, lines, buses } = model;
  const nH = hydros.length;
  const nL = par.maxOrder;
  const nK = stage.blocks.length;
  const hours = stage.blocks.map((b) => b.hours);
  const zeta = HM3_PER_M3S_HOUR * stage.total_hours;
  const isLast = t === model.stages.length - 1;
  const lp = new LpAssembler();
  const costPerMwh = (cost: number, k: number) => cost * hours[k]! / COST_SCALE;

  // State prefix: outgoing storage, incoming lags, incoming storage, realised inflow, theta.
  const colStorageOut = lp.numCols;
  hydros.forEach((h) => {
    const b = h.stage_bounds[t]!;
    lp.addCols(1, b.min_storage_hm3, b.max_storage_hm3);
  });
  const colLag = lp.addCols(nH * nL, -Infinity, Infinity);
  const colStorageIn = lp.addCols(nH, -Infinity, Infinity);
  const colInflow = lp.addCols(nH, -Infinity, Infinity);
  const colTheta = lp.addCols(1, 0, isLast ? 0 : Infinity, discountFactor);

  // Fixing rows first: their duals are the cut coefficients (RHS patched per solve).
  const rowStorageFix = lp.addRows(nH, 0, 0);
  const rowLagFix = lp.addRows(nH * nL, 0, 0);
  for (let h = 0; h < nH; h++) lp.add(rowStorageFix + h, colStorageIn + h, 1);
  for (let i = 0; i < nH * nL; i++) lp.add(rowLagFix + i, colLag + i, 1);

  // z_h - sum_l psi_l a_{l,h} = base + sigma * eta.
  const rowInflow = lp.addRows(nH, 0, 0);
  for (let h = 0; h < nH; h++) {
    const i = t * nH + h;
    lp.rowLower[rowInflow + h] = par.base[i]!;
    lp.rowUpper[rowInflow + h] = par.base[i]!;
    lp.add(rowInflow + h, colInflow + h, 1);
    for (let l = 0; l < nL; l++) {
      lp.add(rowInflow + h, colLag + l * nH + h, -par.psi[i * nL + l]!);
    }
  }

  const productivity = hydros.map((h) => h.stage_productivity_mw_per_m3s[t] ?? 0);
  const colTurbined = lp.numCols;
  hydros.forEach((hydro, h) => {
    const b = hydro.stage_bounds[t]!;
    const rho = productivity[h]!;
    const upper = rho > 0
      ? Math.min(b.max_turbined_m3s, b.max_generation_mw / rho)
      : b.max_turbined_m3s;
    lp.addCols(nK, 0, upper);
  });
  const colSpillage = lp.numCols;
  hydros.forEach((hydro) => {
    const cost = hydro.stage_penalties[t]!.spillage_cost;
    for (let k = 0; k < nK; k++) lp.addCols(1, 0, Infinity, costPerMwh(cost, k));
  });
  const colDiversion = hydros.map((hydro) => {
    const max = hydro.stage_bounds[t]!.max_diversion_m3s;
    if (hydro.diversion === null || max === null || max <= 0) return -1;
    const first = lp.numCols;
    const cost = hydro.stage_penalties[t]!.diversion_cost;
    for (let k = 0; k < nK; k++) lp.addCols(1, 0, max, costPerMwh(cost, k));
    return first;
  });

  const colThermal = lp.numCols;
  for (const thermal of thermals) {
    const b = thermal.stage_bounds[t]!;
    const on = inService(thermal.entry_stage_id, thermal.exit_stage_id, stage.id);
    for (let k = 0; k < nK; k++) {
      lp.addCols(
        1,
        on ? b.min_generation_mw : 0,
        on ? b.max_generation_mw : 0,
        costPerMwh(b.cost_per_mwh, k),
      );
    }
  }
  const lineOn = lines.map((line) => inService(line.entry_stage_id, line.exit_stage_id, stage.id));
  const colLineDirect = lp.numCols;
  lines.forEach((line, l) => {
    const cap = lineOn[l] ? line.stage_capacity[t]!.direct_mw : 0;
    const cost = line.stage_exchange_cost[t]!;
    for (let k = 0; k < nK; k++) lp.addCols(1, 0, cap, costPerMwh(cost, k));
  });
  const colLineReverse = lp.numCols;
  lines.forEach((line, l) => {
    const cap = lineOn[l] ? line.stage_capacity[t]!.reverse_mw : 0;
    const cost = line.stage_exchange_cost[t]!;
    for (let k = 0; k < nK; k++) lp.addCols(1, 0, cap, costPerMwh(cost, k));
  });
  const colDeficit = buses.map((bus) => {
    const first = lp.numCols;
    for (const segment of bus.deficit_segments) {
      for (let k = 0; k < nK; k++) {
        lp.addCols(1, 0, segment.depth_mw ?? Infinity, costPerMwh(segment.cost_per_mwh, k));
      }
    }
    return first;
  });
  const colExcess = lp.numCols;
  for (const bus of buses) {
    for (let k = 0; k < nK; k++) {
      lp.addCols(1, 0, Infinity, costPerMwh(bus.stage_excess_cost[t]!, k));
    }
  }

  const hasInflowSlack = inflowMethod === "penalty" || inflowMethod === "truncation_with_penalty";
  let colInflowSlack = -1;
  if (hasInflowSlack && nH > 0) {
    colInflowSlack = lp.numCols;
    for (const hydro of hydros) {
      const cost = hydro.stage_penalties[t]!.inflow_nonnegativity_cost;
      lp.addCols(1, 0, Infinity, cost * stage.total_hours / COST_SCALE);
    }
  }
  const withdrawalSlack = (
    field: "water_withdrawal_violation_neg_cost" | "water_withdrawal_violation_pos_cost",
  ) =>
    hydros.map((hydro) => {
      if (hydro.stage_bounds[t]!.water_withdrawal_m3s <= 0) return -1;
      const cost = hydro.stage_penalties[t]![field];
      return lp.addCols(1, 0, Infinity, cost * stage.total_hours / COST_SCALE);
    });
  const colWithdrawalUnder = withdrawalSlack("water_withdrawal_violation_neg_cost");
  const colWithdrawalOver = withdrawalSlack("water_withdrawal_violation_pos_cost");

  const blockSlack = (binds: (h: number) => boolean, cost: (h: number) => number) =>
    hydros.map((_, h) => {
      if (!binds(h)) return -1;
      const first = lp.numCols;
      for (let k = 0; k < nK; k++) lp.addCols(1, 0, Infinity, costPerMwh(cost(h), k));
      return first;
    });
  const bounds = (h: number) => hydros[h]!.stage_bounds[t]!;
  const penalty = (h: number) => hydros[h]!.stage_penalties[t]!;
  const colOutflowBelow = blockSlack(
    (h) => bounds(h).min_outflow_m3s > 0,
    (h) => penalty(h).outflow_violation_below_cost,
  );
  const colOutflowAbove = blockSlack(
    (h) => bounds(h).max_outflow_m3s !== null,
    (h) => penalty(h).outflow_violation_above_cost,
  );
  const colTurbinedBelow = blockSlack(
    (h) => bounds(h).min_turbined_m3s > 0,
    (h) => penalty(h).turbined_violation_below_cost,
  );
  const colGenerationBelow = blockSlack(
    (h) => bounds(h).min_generation_mw > 0,
    (h) => penalty(h).generation_violation_below_cost,
  );

  // Water balance (hm3): v - v_in + sum_k c_k (q + s + u) - upstream - zeta z - slacks = -zeta W.
  const rowWaterBalance = lp.addRows(nH, 0, 0);
  const indexOfHydro = new Map(hydros.map((h, i) => [h.id, i]));
  hydros.forEach((hydro, h) => {
    const row = rowWaterBalance + h;
    const withdrawal = hydro.stage_bounds[t]!.water_withdrawal_m3s;
    lp.rowLower[row] = -zeta * withdrawal;
    lp.rowUpper[row] = -zeta * withdrawal;
    lp.add(row, colStorageOut + h, 1);
    lp.add(row, colStorageIn + h, -1);
    lp.add(row, colInflow + h, -zeta);
    if (colInflowSlack >= 0) lp.add(row, colInflowSlack + h, -zeta);
    if (colWithdrawalUnder[h]! >= 0) lp.add(row, colWithdrawalUnder[h]!, -zeta);
    if (colWithdrawalOver[h]! >= 0) lp.add(row, colWithdrawalOver[h]!, zeta);
    for (let k = 0; k < nK; k++) {
      const c = HM3_PER_M3S_HOUR * hours[k]!;
      lp.add(row, colTurbined + h * nK + k, c);
      lp.add(row, colSpillage + h * nK + k, c);
      if (colDiversion[h]! >= 0) lp.add(row, colDiversion[h]! + k, c);
    }
  });
  hydros.forEach((hydro, u) => {
    for (let k = 0; k < nK; k++) {
      const c = HM3_PER_M3S_HOUR * hours[k]!;
      const down = hydro.downstream_id === null ? undefined : indexOfHydro.get(hydro.downstream_id);
      if (down !== undefined) {
        lp.add(rowWaterBalance + down, colTurbined + u * nK + k, -c);
        lp.add(rowWaterBalance + down, colSpillage + u * nK + k, -c);
      }
      const target = hydro.diversion === null
        ? undefined
        : indexOfHydro.get(hydro.diversion.downstream_id);
      if (target !== undefined && colDiversion[u]! >= 0) {
        lp.add(rowWaterBalance + target, colDiversion[u]! + k, -c);
      }
    }
  });

  // Load balance per bus and block (MW).
  const rowLoadBalance = lp.addRows(buses.length * nK, 0, 0);
  const indexOfBus = new Map(buses.map((b, i) => [b.id, i]));
  const loadRow = (busId: number, k: number) => rowLoadBalance + indexOfBus.get(busId)! * nK + k;
  const loadBase: number[] = [];
  buses.forEach((bus, b) => {
    const mean = model.scenarios.load_stats.get(bus.id)?.get(stage.id)?.mean_mw ?? 0;
    const factors = model.scenarios.load_factors.get(bus.id)?.get(stage.id);
    for (let k = 0; k < nK; k++) {
      const load = mean * (factors?.[k] ?? 1);
      loadBase.push(load);
      lp.rowLower[rowLoadBalance + b * nK + k] = load;
      lp.rowUpper[rowLoadBalance + b * nK + k] = load;
      bus.deficit_segments.forEach((_, s) => {
        lp.add(rowLoadBalance + b * nK + k, colDeficit[b]! + s * nK + k, 1);
      });
      lp.add(rowLoadBalance + b * nK + k, colExcess + b * nK + k, -1);
    }
  });
  for (let k = 0; k < nK; k++) {
    hydros.forEach((hydro, h) =>
      lp.add(loadRow(hydro.bus_id, k), colTurbined + h * nK + k, productivity[h]!)
    );
    thermals.forEach((thermal, j) =>
      lp.add(loadRow(thermal.bus_id, k), colThermal + j * nK + k, 1)
    );
    lines.forEach((line, l) => {
      const efficiency = 1 - line.losses_percent / 100;
      lp.add(loadRow(line.source_bus_id, k), colLineDirect + l * nK + k, -1);
      lp.add(loadRow(line.target_bus_id, k), colLineDirect + l * nK + k, efficiency);
      lp.add(loadRow(line.target_bus_id, k), colLineReverse + l * nK + k, -1);
      lp.add(loadRow(line.source_bus_id, k), colLineReverse + l * nK + k, efficiency);
    });
  }

  // Soft operational bounds, one row per hydro and block where the bound can bind.
  hydros.forEach((hydro, h) => {
    const b = hydro.stage_bounds[t]!;
    for (let k = 0; k < nK; k++) {
      const q = colTurbined + h * nK + k;
      const s = colSpillage + h * nK + k;
      const u = colDiversion[h]! >= 0 ? colDiversion[h]! + k : -1;
      if (colOutflowBelow[h]! >= 0) {
        const row = lp.addRows(1, b.min_outflow_m3s, Infinity);
        lp.add(row, q, 1);
        lp.add(row, s, 1);
        if (u >= 0) lp.add(row, u, 1);
        lp.add(row, colOutflowBelow[h]! + k, 1);
      }
      if (colOutflowAbove[h]! >= 0) {
        const row = lp.addRows(1, -Infinity, b.max_outflow_m3s ?? Infinity);
        lp.add(row, q, 1);
        lp.add(row, s, 1);
        if (u >= 0) lp.add(row, u, 1);
        lp.add(row, colOutflowAbove[h]! + k, -1);
      }
      if (colTurbinedBelow[h]! >= 0) {
        const row = lp.addRows(1, b.min_turbined_m3s, Infinity);
        lp.add(row, q, 1);
        lp.add(row, colTurbinedBelow[h]! + k, 1);
      }
      if (colGenerationBelow[h]! >= 0) {
        const row = lp.addRows(1, b.min_generation_mw, Infinity);
        lp.add(row, q, productivity[h]!);
        lp.add(row, colGenerationBelow[h]! + k, 1);
      }
    }
  });

  return {
    model: lp.build(),
    layout: {
      stageIndex: t,
      stageId: stage.id,
      nHydros: nH,
      nLags: nL,
      nBlocks: nK,
      blockHours: hours,
      zeta,
      colStorageOut,
      colLag,
      colStorageIn,
      colInflow,
      colTheta,
      colTurbined,
      colSpillage,
      colDiversion,
      colThermal,
      colLineDirect,
      colLineReverse,
      colDeficit,
      colExcess,
      colInflowSlack,
      colWithdrawalUnder,
      colWithdrawalOver,
      colOutflowBelow,
      colOutflowAbove,
      colTurbinedBelow,
      colGenerationBelow,
      rowStorageFix,
      rowLagFix,
      rowInflow,
      rowWaterBalance,
      rowLoadBalance,
      numStructuralRows: lp.numRows,
      productivity,
      loadBase,
    },
  };
}
