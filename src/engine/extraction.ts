/**
 * Turns one solved stage LP of a simulated scenario into the rows of `simulation/{costs, hydros,
 * thermals, exchanges, buses, inflow_lags}` (column names of Cobre's output-format.md, $ units).
 *
 * @module
 */
import type {
  SimulationBusRow,
  SimulationCostRow,
  SimulationExchangeRow,
  SimulationHydroRow,
  SimulationInflowLagRow,
  SimulationThermalRow,
} from "./results.ts";
import type { EngineSetup } from "./setup.ts";
import { COST_SCALE } from "./stage_lp.ts";

/** Operative state codes of `codes.json`. */
const OPERATING = 2;
const DEACTIVATED = 0;
/** Storage within this many hm3 of a bound counts as binding. */
const BINDING_TOLERANCE_HM3 = 1e-6;

/** One solved stage of a simulated scenario. */
export interface SolvedStage {
  t: number;
  objective: number;
  primal: Float64Array;
  rowDuals: Float64Array;
  /** State entering the stage (storage, lags). */
  incoming: Float64Array;
  /** Opening noise vector used for the stage (hydros, then stochastic load buses). */
  noise: Float64Array;
}

/** Rows produced for one stage. */
export interface StageRows {
  cost: SimulationCostRow;
  hydros: SimulationHydroRow[];
  thermals: SimulationThermalRow[];
  exchanges: SimulationExchangeRow[];
  buses: SimulationBusRow[];
  inflowLags: SimulationInflowLagRow[];
}

/** Builds every output row of one simulated stage. */
export function extractStage(setup: EngineSetup, solved: SolvedStage): StageRows {
  const { t, primal: x, rowDuals: y } = solved;
  const { layout, model } = setup.stages[t]!;
  const cost = model.colCost;
  const info = setup.output;
  const n = layout.nHydros;
  const nK = layout.nBlocks;
  const stageId = layout.stageId;
  const money = (col: number) => col < 0 ? 0 : cost[col]! * x[col]! * COST_SCALE;
  const sumMoney = (first: number, count: number) => {
    let total = 0;
    if (first < 0) return 0;
    for (let c = first; c < first + count; c++) total += money(c);
    return total;
  };
  const perHydro = (cols: number[], count: number) =>
    cols.reduce((total, first) => total + sumMoney(first, count), 0);
  const value = (col: number) => (col < 0 ? 0 : x[col]!);

  const theta = x[layout.colTheta]!;
  const future = setup.discount[t]! * theta * COST_SCALE;
  const total = solved.objective * COST_SCALE;
  const outflowBelow = perHydro(layout.colOutflowBelow, nK);
  const outflowAbove = perHydro(layout.colOutflowAbove, nK);
  const turbinedBelow = perHydro(layout.colTurbinedBelow, nK);
  const generationBelow = perHydro(layout.colGenerationBelow, nK);
  const withdrawal = perHydro(layout.colWithdrawalUnder, 1) + perHydro(layout.colWithdrawalOver, 1);
  const nLines = info.lineIds.length;
  const deficitCost = info.busIds.reduce(
    (sum, _, b) => sum + sumMoney(layout.colDeficit[b]!, info.busDeficitSegments[b]! * nK),
    0,
  );
  const costRow: SimulationCostRow = {
    stage_id: stageId,
    block_id: null,
    total_cost: total,
    immediate_cost: total - future,
    future_cost: future,
    discount_factor: setup.cumulativeDiscount[t]!,
    thermal_cost: sumMoney(layout.colThermal, info.thermalIds.length * nK),
    contract_cost: 0,
    deficit_cost: deficitCost,
    excess_cost: sumMoney(layout.colExcess, info.busIds.length * nK),
    storage_violation_cost: 0,
    filling_target_cost: 0,
    hydro_violation_cost: outflowBelow + outflowAbove + turbinedBelow + generationBelow +
      withdrawal,
    outflow_violation_below_cost: outflowBelow,
    outflow_violation_above_cost: outflowAbove,
    turbined_violation_cost: turbinedBelow,
    generation_violation_cost: generationBelow,
    evaporation_violation_cost: 0,
    withdrawal_violation_cost: withdrawal,
    inflow_penalty_cost: sumMoney(layout.colInflowSlack, n),
    generic_violation_cost: 0,
    spillage_cost: sumMoney(layout.colSpillage, n * nK) + perHydro(layout.colDiversion, nK),
    fpha_turbined_cost: 0,
    curtailment_cost: 0,
    exchange_cost: sumMoney(layout.colLineDirect, nLines * nK) +
      sumMoney(layout.colLineReverse, nLines * nK),
    pumping_cost: 0,
  };

  const divertedInto = info.hydroIds.map(() => [] as number[]);
  layout.colDiversion.forEach((col, h) => {
    const target = info.hydroDiversionTarget[h]!;
    if (col >= 0 && target >= 0) divertedInto[target]!.push(h);
  });
  const hydros: SimulationHydroRow[] = [];
  for (let h = 0; h < n; h++) {
    const incremental = x[layout.colInflow + h]!;
    const storageFinal = x[layout.colStorageOut + h]!;
    const lower = model.colLower[layout.colStorageOut + h]!;
    const upper = model.colUpper[layout.colStorageOut + h]!;
    const atMin = storageFinal <= lower + BINDING_TOLERANCE_HM3;
    const atMax = storageFinal >= upper - BINDING_TOLERANCE_HM3;
    const hasDiversion = layout.colDiversion[h]! >= 0 || divertedInto[h]!.length > 0;
    for (let k = 0; k < nK; k++) {
      const q = x[layout.colTurbined + h * nK + k]!;
      const s = x[layout.colSpillage + h * nK + k]!;
      const divertedOut = layout.colDiversion[h]! >= 0 ? x[layout.colDiversion[h]! + k]! : 0;
      const divertedIn = divertedInto[h]!.reduce(
        (sum, u) => sum + x[layout.colDiversion[u]! + k]!,
        0,
      );
      let upstream = 0;
      info.hydroDownstream.forEach((down, u) => {
        if (down === h) {
          upstream += x[layout.colTurbined + u * nK + k]! + x[layout.colSpillage + u * nK + k]!;
        }
      });
      const rho = layout.productivity[h]!;
      const hours = layout.blockHours[k]!;
      const slack = (cols: number[]) => (cols[h]! < 0 ? 0 : x[cols[h]! + k]!);
      hydros.push({
        stage_id: stageId,
        block_id: k,
        hydro_id: info.hydroIds[h]!,
        turbined_m3s: q,
        spillage_m3s: s,
        outflow_m3s: q + s,
        evaporation_m3s: null,
        diverted_inflow_m3s: hasDiversion ? divertedIn : null,
        diverted_outflow_m3s: hasDiversion ? divertedOut : null,
        incremental_inflow_m3s: incremental,
        inflow_m3s: incremental + upstream + divertedIn,
        storage_initial_hm3: solved.incoming[h]!,
        storage_final_hm3: storageFinal,
        generation_mw: rho * q,
        generation_mwh: rho * q * hours,
        productivity_mw_per_m3s: info.hydroStageVaryingProductivity[h] ? rho : null,
        spillage_cost: money(layout.colSpillage + h * nK + k),
        water_value_per_hm3: y[layout.rowWaterBalance + h]! * COST_SCALE,
        storage_binding_code: (atMin ? 1 : 0) + (atMax ? 2 : 0),
        operative_state_code: OPERATING,
        turbined_slack_m3s: slack(layout.colTurbinedBelow),
        outflow_slack_below_m3s: slack(layout.colOutflowBelow),
        outflow_slack_above_m3s: slack(layout.colOutflowAbove),
        generation_slack_mw: slack(layout.colGenerationBelow),
        storage_violation_below_hm3: 0,
        filling_target_violation_hm3: 0,
        evaporation_violation_pos_m3s: 0,
        evaporation_violation_neg_m3s: 0,
        inflow_nonnegativity_slack_m3s: layout.colInflowSlack < 0
          ? 0
          : x[layout.colInflowSlack + h]!,
        water_withdrawal_violation_pos_m3s: value(layout.colWithdrawalOver[h]!),
        water_withdrawal_violation_neg_m3s: value(layout.colWithdrawalUnder[h]!),
      });
    }
  }

  const thermals: SimulationThermalRow[] = [];
  info.thermalIds.forEach((id, j) => {
    for (let k = 0; k < nK; k++) {
      const col = layout.colThermal + j * nK + k;
      thermals.push({
        stage_id: stageId,
        block_id: k,
        thermal_id: id,
        generation_mw: x[col]!,
        generation_mwh: x[col]! * layout.blockHours[k]!,
        generation_cost: money(col),
        is_gnl: false,
        gnl_committed_mw: null,
        gnl_decision_mw: null,
        operative_state_code: info.thermalOperating[j]![t] ? OPERATING : DEACTIVATED,
      });
    }
  });

  const exchanges: SimulationExchangeRow[] = [];
  info.lineIds.forEach((id, l) => {
    for (let k = 0; k < nK; k++) {
      const direct = x[layout.colLineDirect + l * nK + k]!;
      const reverse = x[layout.colLineReverse + l * nK + k]!;
      const hours = layout.blockHours[k]!;
      const losses = info.lineLossFraction[l]! * (direct + reverse);
      exchanges.push({
        stage_id: stageId,
        block_id: k,
        line_id: id,
        direct_flow_mw: direct,
        reverse_flow_mw: reverse,
        net_flow_mw: direct - reverse,
        net_flow_mwh: (direct - reverse) * hours,
        losses_mw: losses,
        losses_mwh: losses * hours,
        exchange_cost: money(layout.colLineDirect + l * nK + k) +
          money(layout.colLineReverse + l * nK + k),
        operative_state_code: info.lineOperating[l]![t] ? OPERATING : DEACTIVATED,
      });
    }
  });

  const buses: SimulationBusRow[] = [];
  const m = setup.loadBuses.length;
  info.busIds.forEach((id, b) => {
    const stochastic = setup.loadBuses.indexOf(b);
    for (let k = 0; k < nK; k++) {
      const hours = layout.blockHours[k]!;
      const load = stochastic < 0 ? layout.loadBase[b * nK + k]! : Math.max(
        0,
        setup.loadMean[t * m + stochastic]! +
          setup.loadStd[t * m + stochastic]! * solved.noise[n + stochastic]!,
      ) * setup.loadFactor[t]![b * nK + k]!;
      let deficit = 0;
      for (let s = 0; s < info.busDeficitSegments[b]!; s++) {
        deficit += x[layout.colDeficit[b]! + s * nK + k]!;
      }
      const excess = x[layout.colExcess + b * nK + k]!;
      buses.push({
        stage_id: stageId,
        block_id: k,
        bus_id: id,
        load_mw: load,
        load_mwh: load * hours,
        deficit_mw: deficit,
        deficit_mwh: deficit * hours,
        excess_mw: excess,
        excess_mwh: excess * hours,
        spot_price: y[layout.rowLoadBalance + b * nK + k]! * COST_SCALE / hours,
      });
    }
  });

  const inflowLags: SimulationInflowLagRow[] = [];
  for (let h = 0; h < n; h++) {
    for (let l = 0; l < layout.nLags; l++) {
      inflowLags.push({
        stage_id: stageId,
        hydro_id: info.hydroIds[h]!,
        lag_index: l + 1,
        inflow_m3s: solved.incoming[n + l * n + h]!,
      });
    }
  }
  return { cost: costRow, hydros, thermals, exchanges, buses, inflowLags };
}
